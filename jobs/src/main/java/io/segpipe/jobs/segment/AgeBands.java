package io.segpipe.jobs.segment;

import java.util.ArrayList;
import java.util.List;

/**
 * Age bands from increasing edges, each edge starting a band: [25, 35] gives "under 25", "25-34",
 * "35+". Composed into a SQL CASE over an age expression; the edges are checked whole numbers, so
 * the SQL holds nothing a user typed as text.
 */
public record AgeBands(List<Integer> edges) {
  public static final String UNKNOWN = "unknown";

  public AgeBands {
    edges = List.copyOf(edges);
    String problem = problem(edges);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** What is wrong with {@code edges}, or null when they can make bands. */
  static String problem(List<Integer> edges) {
    if (edges.isEmpty()) {
      return "the list is empty; expected increasing ages such as [25, 35, 45, 55, 65]";
    }
    for (int i = 0; i < edges.size(); i++) {
      if (edges.get(i) < 1 || edges.get(i) > 120) {
        return "age " + edges.get(i) + " is out of range; expected ages between 1 and 120";
      }
      if (i > 0 && edges.get(i) <= edges.get(i - 1)) {
        return "ages must increase, but " + edges.get(i) + " follows " + edges.get(i - 1);
      }
    }
    return null;
  }

  /** The band names, youngest first. */
  public List<String> labels() {
    List<String> labels = new ArrayList<>();
    labels.add("under " + edges.get(0));
    for (int i = 1; i < edges.size(); i++) {
      labels.add(edges.get(i - 1) + "-" + (edges.get(i) - 1));
    }
    labels.add(edges.get(edges.size() - 1) + "+");
    return labels;
  }

  /**
   * A SQL expression naming the band of {@code age} (a SQL expression), "unknown" when it is null.
   */
  public String sql(String age) {
    List<String> labels = labels();
    StringBuilder sql = new StringBuilder("CASE WHEN (" + age + ") IS NULL THEN '" + UNKNOWN + "'");
    for (int i = 0; i < edges.size(); i++) {
      sql.append(" WHEN (")
          .append(age)
          .append(") < ")
          .append(edges.get(i))
          .append(" THEN '")
          .append(labels.get(i))
          .append("'");
    }
    return sql.append(" ELSE '").append(labels.get(labels.size() - 1)).append("' END").toString();
  }
}

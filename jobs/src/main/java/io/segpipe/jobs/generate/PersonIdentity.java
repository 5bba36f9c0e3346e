package io.segpipe.jobs.generate;

import java.sql.Date;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One person's identifiers (--identities), drawn from its IDENTITY stream and its index only: its
 * email (and for a few a second one), 1-3 device ids, a loyalty card, for about half a phone, and
 * whether its store events go to a second account. Every identifier is the person's own: the
 * numbers in them come from bijections of the customer index, so no two people share one however
 * many are generated (up to {@link Identities#MAX_CUSTOMERS}).
 *
 * <p>Emails are at the reserved example.com, example.net and example.org domains (RFC 2606), so the
 * data set can never address a real mailbox; phones are UK mobile numbers (07 then 5, 7, 8 or 9 and
 * eight digits) that may belong to someone: never dial or text them.
 */
final class PersonIdentity {
  private static final String[] FEMALE = {
    "olivia",
    "amelia",
    "isla",
    "ava",
    "emily",
    "sophie",
    "grace",
    "lily",
    "freya",
    "ella",
    "chloe",
    "jessica",
    "evie",
    "poppy",
    "charlotte",
    "ruby",
    "sarah",
    "emma",
    "hannah",
    "lucy",
    "megan",
    "laura",
    "rebecca",
    "rachel",
    "amy",
    "katie",
    "holly",
    "zara",
    "aisha",
    "priya",
    "niamh",
    "eilidh",
    "catherine",
    "helen",
    "joanne",
    "claire",
    "nicola",
    "susan",
    "fatima",
    "maya"
  };
  private static final String[] MALE = {
    "oliver",
    "george",
    "harry",
    "noah",
    "jack",
    "leo",
    "arthur",
    "oscar",
    "charlie",
    "jacob",
    "thomas",
    "james",
    "william",
    "daniel",
    "samuel",
    "joseph",
    "henry",
    "alfie",
    "freddie",
    "ethan",
    "adam",
    "ryan",
    "liam",
    "callum",
    "connor",
    "owen",
    "rhys",
    "dylan",
    "mohammed",
    "ali",
    "ravi",
    "david",
    "paul",
    "mark",
    "andrew",
    "richard",
    "stephen",
    "peter",
    "michael",
    "ewan"
  };
  private static final String[] SURNAMES = {
    "smith",
    "jones",
    "taylor",
    "brown",
    "williams",
    "wilson",
    "johnson",
    "davies",
    "patel",
    "robinson",
    "wright",
    "thompson",
    "evans",
    "walker",
    "white",
    "roberts",
    "green",
    "hall",
    "thomas",
    "clarke",
    "jackson",
    "wood",
    "harris",
    "edwards",
    "turner",
    "martin",
    "cooper",
    "hill",
    "ward",
    "hughes",
    "moore",
    "clark",
    "king",
    "harrison",
    "lewis",
    "baker",
    "lee",
    "allen",
    "morris",
    "khan",
    "scott",
    "watson",
    "davis",
    "parker",
    "james",
    "bennett",
    "young",
    "phillips",
    "richardson",
    "mitchell"
  };

  static {
    // The uniqueness of emails rests on both lists of first names having one length.
    if (FEMALE.length != MALE.length) {
      throw new IllegalStateException("FEMALE and MALE need as many names each");
    }
  }

  private static final String[] DOMAINS = {"example.com", "example.net", "example.org"};
  private static final double[] DOMAIN_WEIGHTS = {0.5, 0.3, 0.2};

  /** UK mobile numbers: 7, then one of these, then eight digits. */
  private static final char[] MOBILE_SECOND_DIGITS = {'5', '7', '8', '9'};

  private static final long HUNDRED_MILLION = 100_000_000L;

  /** How many distinct phone numbers {@link #phoneNumber} gives. */
  static final long PHONE_NUMBERS = MOBILE_SECOND_DIGITS.length * HUNDRED_MILLION;

  private static final long TEN_DIGITS = 10_000_000_000L;
  private static final long INDEX_SPACE = 1L << 31;

  private final String customerId;
  private final String secondAccountId;
  private final String email;
  private final String secondEmail;
  private final String[] devices;
  private final String loyaltyCard;
  private final String phone;
  private final String writtenPhone;
  private final String writtenEmail;
  private final boolean secondAccountOptIn;

  private PersonIdentity(
      String customerId,
      String secondAccountId,
      String email,
      String secondEmail,
      String[] devices,
      String loyaltyCard,
      String phone,
      String writtenPhone,
      String writtenEmail,
      boolean secondAccountOptIn) {
    this.customerId = customerId;
    this.secondAccountId = secondAccountId;
    this.email = email;
    this.secondEmail = secondEmail;
    this.devices = devices;
    this.loyaltyCard = loyaltyCard;
    this.phone = phone;
    this.writtenPhone = writtenPhone;
    this.writtenEmail = writtenEmail;
    this.secondAccountOptIn = secondAccountOptIn;
  }

  /**
   * The person of {@code plan}. The draws that depend on --identities' share come last, so the
   * share changes whether a person gets a second account and nothing else about it.
   */
  static PersonIdentity of(GenerationSpec spec, CustomerPlan plan) {
    long seed = spec.seed();
    long index = plan.index();
    SplittableRandom rng = Seeds.IDENTITY.random(seed, index);
    // Name and number from one bijection of the index: the local part names the person, and its
    // number (with the name's place in the lists) gives the index back, so it is the person's own.
    long j = scramble(index, 1_103_515_245L, offset(seed, 1), INDEX_SPACE);
    int names = FEMALE.length * SURNAMES.length;
    String[] firstNames =
        switch (plan.gender()) {
          case "F" -> FEMALE;
          case "M" -> MALE;
          default -> (j / names) % 2 == 0 ? FEMALE : MALE;
        };
    String first = firstNames[(int) (j % FEMALE.length)];
    String last = SURNAMES[(int) ((j / FEMALE.length) % SURNAMES.length)];
    String email = first + "." + last + (j / names) + "@" + domain(rng);
    // A second email has no dot before its @, so it is never anyone's first one.
    String second =
        Draw.chance(rng, Identities.SECOND_EMAIL_SHARE)
            ? "u"
                + scramble(index, 1_664_525_013L, offset(seed, 2), INDEX_SPACE)
                + "@"
                + domain(rng)
            : null;
    String[] devices = new String[Draw.between(rng, 1, 3)];
    long deviceBase = offset(seed, 3);
    for (int k = 0; k < devices.length; k++) {
      devices[k] = String.format("d-%016x", Seeds.mix(deviceBase + index * 4 + k));
    }
    String loyalty =
        String.format("LC%010d", scramble(index, 3_141_592_653L, offset(seed, 4), TEN_DIGITS));
    String phone = null;
    String writtenPhone = null;
    if (Draw.chance(rng, Identities.PHONE_SHARE)) {
      String national = phoneNumber(seed, index);
      phone = "+44" + national;
      writtenPhone =
          Draw.chance(rng, 0.5)
              ? "0" + national.substring(0, 4) + " " + national.substring(4)
              : "+44 " + national.substring(0, 4) + " " + national.substring(4);
    }
    String writtenEmail = written(rng, email);
    boolean secondAccount = Draw.chance(rng, spec.identities().secondAccountShare());
    boolean optIn = Draw.chance(rng, plan.archetype().portrait().optInShare());
    return new PersonIdentity(
        plan.customerId(),
        secondAccount ? plan.customerId() + Identities.SECOND_ACCOUNT_SUFFIX : null,
        email,
        second,
        devices,
        loyalty,
        phone,
        writtenPhone,
        writtenEmail,
        optIn);
  }

  /**
   * The person's mobile number without the leading 0 ("7700900123"): a bijection of the index onto
   * {@link #PHONE_NUMBERS} numbers.
   */
  private static String phoneNumber(long seed, long index) {
    long n = scramble(index, 2_718_281_829L, offset(seed, 5), PHONE_NUMBERS);
    return "7"
        + MOBILE_SECOND_DIGITS[(int) (n / HUNDRED_MILLION)]
        + String.format("%08d", n % HUNDRED_MILLION);
  }

  /**
   * (a * index + b) mod m: a bijection of [0, m) when a and m have no common factor (a is odd and
   * not a multiple of 5, m a power of 2 times a power of 10), so distinct indexes below m give
   * distinct numbers.
   */
  private static long scramble(long index, long a, long b, long m) {
    return Math.floorMod(Math.floorMod(a * index, m) + b, m);
  }

  /** A seed-dependent offset, in [0, 2^31), for one of the scrambles. */
  private static long offset(long seed, int which) {
    return Math.floorMod(Seeds.mix(seed ^ (0x1D_E771L * which)), INDEX_SPACE);
  }

  private static String domain(SplittableRandom rng) {
    return DOMAINS[Draw.weighted(rng, DOMAIN_WEIGHTS)];
  }

  /**
   * An email as someone typed it: mostly as it is, sometimes ({@link Identities#VARIED_SHARE}) in
   * capitals, with capitalised names, or with spaces around it; lower-cased and trimmed it is the
   * email again.
   */
  static String written(SplittableRandom rng, String email) {
    if (!Draw.chance(rng, Identities.VARIED_SHARE)) {
      return email;
    }
    return switch (rng.nextInt(4)) {
      case 0 -> email.toUpperCase(Locale.ROOT);
      case 1 -> capitalised(email);
      case 2 -> " " + email + " ";
      default -> capitalised(email) + " ";
    };
  }

  /** "anna.smith12@example.com" as "Anna.Smith12@example.com". */
  private static String capitalised(String email) {
    StringBuilder b = new StringBuilder(email.length());
    boolean start = true;
    for (int i = 0; i < email.length(); i++) {
      char c = email.charAt(i);
      if (c == '@') {
        return b.append(email, i, email.length()).toString();
      }
      b.append(start ? Character.toUpperCase(c) : c);
      start = c == '.';
    }
    return b.toString();
  }

  /** A loyalty card as the till wrote it: sometimes in lower case. */
  String writtenLoyaltyCard(SplittableRandom rng) {
    return Draw.chance(rng, Identities.VARIED_SHARE)
        ? loyaltyCard.toLowerCase(Locale.ROOT)
        : loyaltyCard;
  }

  /** The person's customers row: the dimension's columns, its email and phone as written. */
  Row customerRow(CustomerPlan plan) {
    Object[] values = plan.customerValues();
    values[values.length - 2] = writtenEmail;
    values[values.length - 1] = writtenPhone;
    return RowFactory.create(values);
  }

  /**
   * The second account's customers row: the person's, but its own id, signup date and consent, and
   * no phone.
   */
  Row secondAccountRow(CustomerPlan plan, Date signup) {
    Object[] values = plan.customerValues();
    values[0] = secondAccountId;
    values[1] = signup;
    values[ExportShape.CUSTOMERS.fieldIndex("marketing_opt_in")] = secondAccountOptIn;
    values[values.length - 2] = writtenEmail;
    return RowFactory.create(values);
  }

  String customerId() {
    return customerId;
  }

  /** The customer id of the person's store events, or null when it has no second account. */
  String secondAccountId() {
    return secondAccountId;
  }

  /** The email (normal form: lower case, no spaces). */
  String email() {
    return email;
  }

  /** The email used on app purchases, or null when the person has one only. */
  String secondEmail() {
    return secondEmail;
  }

  String[] devices() {
    return devices;
  }

  /** The loyalty card (normal form: upper case). */
  String loyaltyCard() {
    return loyaltyCard;
  }

  /** The phone in its normal form ("+447700900123"), or null. */
  String phone() {
    return phone;
  }
}

package io.segpipe.jobs.generate;

import io.segpipe.campaign.Campaign;
import java.io.Serializable;

/**
 * A campaign the generator plants an effect for (--campaigns FILE, --campaign-lift X): a consenting
 * customer who has joined by the snapshot date, is in the campaign's treatment group by the split
 * rule, has no order of its own in the window and does not churn before it ends (the ground truth's
 * churn date stays true) gets one there with probability {@code lift}. Nothing else about the
 * customer changes, so the data set is the one without the campaign plus those orders.
 *
 * @param snapshotDay the epoch day of the audience's snapshot
 * @param startDay the first epoch day of the window
 * @param endDay the last epoch day of the window, included
 */
record PlantedCampaign(
    String id, long snapshotDay, long startDay, long endDay, double controlShare, double lift)
    implements Serializable {

  static PlantedCampaign of(Campaign c, double lift) {
    return new PlantedCampaign(
        c.id(),
        c.snapshotDate().toEpochDay(),
        c.startDate().toEpochDay(),
        c.endDate().toEpochDay(),
        c.controlShare(),
        lift);
  }

  boolean inWindow(long day) {
    return day >= startDay && day <= endDay;
  }
}

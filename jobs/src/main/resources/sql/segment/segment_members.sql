-- Each customer once per segmentation, in the segment it puts them in (view ${segment_source}: rows
-- with the customer_segments columns). A customer without a segment in a segmentation (a prospect has
-- no RFM segment, value tier or cluster; a snapshot written before the needs-based segments has no
-- needs_segment) is not a member of it; lifecycle_stage covers everyone.
-- The cluster's segment is its label: labels are distinct within a model version, and unlike ids
-- they keep their meaning when the clusters are retrained.
SELECT m.segmentation, m.segment, s.*
FROM ${segment_source} s
LATERAL VIEW stack(5,
  'rfm_segment', s.rfm_segment,
  'lifecycle_stage', s.lifecycle_stage,
  'cluster', s.cluster_label,
  'value_tier', s.value_tier,
  'needs_segment', s.needs_segment) m AS segmentation, segment
WHERE m.segment IS NOT NULL

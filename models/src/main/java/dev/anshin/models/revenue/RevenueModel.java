package dev.anshin.models.revenue;

import org.apache.spark.ml.PipelineModel;

/**
 * What the revenue forecast needs besides the churn model it is trained with: the fitted {@link
 * GrowthModel} and the {@link RevenueOutlook.Assumptions} the same history gave.
 */
public record RevenueModel(PipelineModel growth, RevenueOutlook.Assumptions assumptions) {}

package dev.anshin.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.demo.generate.World;
import dev.anshin.demo.generate.WorldGenerator;
import dev.anshin.demo.generate.WorldSettings;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.success.ActivityEffects;
import dev.anshin.features.support.HelpCenterDeflection;
import dev.anshin.testing.SparkTestBase;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two analyses of the optional sources find what the generator planted (docs/generator.md), on
 * worlds of two seeds: the failing and the missing help-centre articles, and the activities
 * that lift engagement. The worlds are simulated in memory and handed to the transformations as the
 * lakehouse would hold them, every row delivered on its own day; the end-to-end test runs the same
 * transformations on the pipeline's own tables.
 */
class TraceabilityAnalysesTest extends SparkTestBase {

  private static World world(long seed) {
    return WorldGenerator.simulate(new WorldSettings(400, 365, seed, LocalDate.of(2025, 1, 1), 90, false));
  }

  private static LocalDate day(java.time.Instant time) {
    return LocalDate.ofInstant(time, ZoneOffset.UTC);
  }

  private Dataset<Row> tickets(World world) {
    List<Row> rows = new ArrayList<>();
    for (World.Ticket t : world.tickets()) {
      if (!day(t.createdAt()).isAfter(world.settings().lastDay())) {
        rows.add(RowFactory.create(t.id(), t.accountId(), java.sql.Timestamp.from(t.createdAt()), null, null, t.priority(),
            t.channel(), t.category(), null, 0, 1, 10.0, java.sql.Date.valueOf(day(t.createdAt()))));
      }
    }
    return spark.createDataFrame(rows, SourceTable.TICKETS.schema().add(SourceTable.DELIVERED_ON, DataTypes.DateType));
  }

  // One seed per analysis, a different one for each (the suite's time is bounded); PlantedEffectsTest
  // checks the generator's planting on other seeds.
  @ParameterizedTest
  @ValueSource(longs = {42})
  void deflectionFindsTheFailingArticlesAndTheMissingTopic(long seed) {
    World world = world(seed);
    Map<String, World.HelpCenterArticle> articles =
        world.articles().stream().collect(Collectors.toMap(World.HelpCenterArticle::id, Function.identity()));
    List<Row> views = new ArrayList<>();
    for (World.HelpCenterView v : world.helpCenterViews()) {
      World.HelpCenterArticle article = articles.get(v.articleId());
      java.sql.Date viewDay = java.sql.Date.valueOf(day(v.time()));
      views.add(RowFactory.create(v.id(), v.accountId(), v.userId(), java.sql.Timestamp.from(v.time()), v.articleId(),
          article.title(), article.category(), viewDay, viewDay));
    }
    Dataset<Row> viewRows = spark.createDataFrame(views, SourceTable.HELP_CENTER_VIEWS.schema()
        .add("view_date", DataTypes.DateType).add(SourceTable.DELIVERED_ON, DataTypes.DateType));
    LocalDate asOf = world.settings().lastDay();
    // The whole year judged, so that every article has its viewings.
    HelpCenterDeflection.Settings settings = new HelpCenterDeflection.Settings(7, 300, 20, 0.4);

    List<Row> rows = HelpCenterDeflection.deflection(viewRows, tickets(world), asOf, settings).collectAsList();

    Set<String> categoriesWithArticles =
        world.articles().stream().map(World.HelpCenterArticle::category).collect(Collectors.toSet());
    Set<String> missing = rows.stream().filter(r -> r.getAs("status").equals(HelpCenterDeflection.MISSING))
        .map(r -> r.<String>getAs("category")).collect(Collectors.toSet());
    Set<String> ticketCategories = world.tickets().stream().map(World.Ticket::category).collect(Collectors.toSet());
    Set<String> planted = new java.util.TreeSet<>(ticketCategories);
    planted.removeAll(categoriesWithArticles);
    assertThat(planted).as("the world's topics without articles").isNotEmpty();
    assertThat(missing).isEqualTo(planted);

    Map<String, Row> byArticle = rows.stream().filter(r -> !r.getAs("status").equals(HelpCenterDeflection.MISSING))
        .collect(Collectors.toMap(r -> r.getAs("article_id"), Function.identity()));
    List<World.HelpCenterArticle> judged = world.articles().stream()
        .filter(a -> byArticle.containsKey(a.id()) && byArticle.get(a.id()).<Long>getAs("viewings") >= 20).toList();
    assertThat(judged.stream().filter(World.HelpCenterArticle::failing)).as("failing articles judged").isNotEmpty();
    for (World.HelpCenterArticle article : judged) {
      Row row = byArticle.get(article.id());
      if (article.failing()) {
        assertThat(row.<String>getAs("status")).as(article.id() + " planted at q = " + article.deflectionProbability())
            .isEqualTo(HelpCenterDeflection.FAILING);
      }
      // A working article (q >= 0.45) loses a little to tickets other users of its account file, never
      // enough to fall to the failing ones (q <= 0.2): every failing article ranks below every working one.
      for (World.HelpCenterArticle other : judged) {
        if (article.failing() && !other.failing()) {
          assertThat(row.<Integer>getAs("deflection_rank")).as(article.id() + " below " + other.id())
              .isGreaterThan(byArticle.get(other.id()).<Integer>getAs("deflection_rank"));
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {7})
  void activityEffectsFindTheReviewsLiftAndNoneForEmails(long seed) {
    World world = world(seed);
    LocalDate asOf = world.settings().lastDay();
    // The hidden engagement stands in for the health score (0-100), banded like it.
    Map<String, String> segments =
        world.accounts().stream().collect(Collectors.toMap(World.Account::id, World.Account::segment));
    List<Row> health = new ArrayList<>();
    for (World.TruthRow t : world.truth()) {
      double score = 100 * t.engagement();
      health.add(RowFactory.create(t.accountId(), java.sql.Date.valueOf(t.asOfDate()), segments.get(t.accountId()), score,
          score >= 70 ? "green" : score >= 40 ? "yellow" : "red"));
    }
    Dataset<Row> healthRows = spark.createDataFrame(health, new StructType()
        .add("account_id", DataTypes.StringType).add("as_of_date", DataTypes.DateType).add("segment", DataTypes.StringType)
        .add("health_score", DataTypes.DoubleType).add("health_band", DataTypes.StringType));
    List<Row> churns = new ArrayList<>();
    for (World.Subscription s : world.subscriptions()) {
      if (!s.addOn() && s.cancelReason() != null && !s.endedAt().isAfter(asOf)) {
        churns.add(RowFactory.create(s.accountId(), java.sql.Date.valueOf(s.endedAt())));
      }
    }
    Dataset<Row> churnRows = spark.createDataFrame(churns,
        new StructType().add("account_id", DataTypes.StringType).add("churn_date", DataTypes.DateType));
    List<Row> activities = new ArrayList<>();
    for (World.CsActivity a : world.activities()) {
      LocalDate activityDay = day(a.time());
      if (!activityDay.isAfter(asOf)) {
        activities.add(RowFactory.create(a.accountId(), a.type(), java.sql.Date.valueOf(activityDay),
            java.sql.Date.valueOf(activityDay)));
      }
    }
    Dataset<Row> activityRows = spark.createDataFrame(activities, new StructType()
        .add("account_id", DataTypes.StringType).add("activity_type", DataTypes.StringType)
        .add("activity_date", DataTypes.DateType).add(SourceTable.DELIVERED_ON, DataTypes.DateType));

    Map<String, Row> effects =
        ActivityEffects.effects(activityRows, healthRows, churnRows, asOf, new ActivityEffects.Settings(List.of(30), 365))
            .collectAsList().stream().collect(Collectors.toMap(r -> r.getAs("activity_type"), Function.identity()));

    Row review = effects.get("business_review");
    Row email = effects.get("email");
    // A review lifts the engagement logit by 1.0: health rises against comparable
    // accounts, and clearly more than after an email, which does nothing.
    assertThat(review.<Double>getAs("health_effect_ci_low")).as("review's health effect, low end").isPositive();
    assertThat(review.<Double>getAs("health_effect_ci_low")).isGreaterThan(email.<Double>getAs("health_effect_ci_high"));
    // An email moves nothing: what the analysis finds for it is small against a review's lift.
    assertThat(Math.abs(email.<Double>getAs("health_effect")))
        .isLessThan(review.<Double>getAs("health_effect") / 5);
  }
}

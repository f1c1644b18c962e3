package dev.anshin.features.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anshin.features.support.BusinessSchedule.Interval;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BusinessScheduleTest {

  private static BusinessSchedule weekdays(String zone, Set<LocalDate> holidays, String... intervals) {
    Map<DayOfWeek, List<Interval>> hours = new EnumMap<>(DayOfWeek.class);
    for (DayOfWeek day : List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY)) {
      hours.put(day, java.util.Arrays.stream(intervals).map(Interval::parse).toList());
    }
    return new BusinessSchedule(ZoneId.of(zone), hours, holidays);
  }

  // Tokyo, 09:00-18:00 on weekdays; Monday 2024-01-08 is a holiday (Coming of Age Day).
  private static final BusinessSchedule TOKYO =
      weekdays("Asia/Tokyo", Set.of(LocalDate.parse("2024-01-08")), "09:00-18:00");

  @Test
  void countsOnlyOpenHoursSkippingWeekendsAndHolidays() {
    // Friday 17:00 JST to Tuesday 10:30 JST: Friday 17-18 (60 min) and Tuesday 9:00-10:30 (90 min).
    Instant created = Instant.parse("2024-01-05T08:00:00Z");
    Instant replied = Instant.parse("2024-01-09T01:30:00Z");
    assertThat(TOKYO.between(created, replied)).isEqualTo(Duration.ofMinutes(150));
    // Created on Saturday: the clock starts on Tuesday at 09:00.
    assertThat(TOKYO.between(Instant.parse("2024-01-06T03:00:00Z"), replied)).isEqualTo(Duration.ofMinutes(90));
    assertThat(TOKYO.between(replied, created)).isZero();
  }

  @Test
  void aDeadlineIsTheInstantTheBusinessTimeRunsOut() {
    Instant created = Instant.parse("2024-01-05T08:00:00Z");
    // One hour on Friday, the second from Tuesday 09:00 JST: 10:00 JST is 01:00 UTC.
    assertThat(TOKYO.deadline(created, Duration.ofHours(2))).isEqualTo(Instant.parse("2024-01-09T01:00:00Z"));
    // Exactly the rest of Friday ends at its closing time.
    assertThat(TOKYO.deadline(created, Duration.ofHours(1))).isEqualTo(Instant.parse("2024-01-05T09:00:00Z"));
    // between and deadline agree
    Instant due = TOKYO.deadline(created, Duration.ofHours(20));
    assertThat(TOKYO.between(created, due)).isEqualTo(Duration.ofHours(20));
    assertThat(new BusinessSchedule(ZoneId.of("UTC"), Map.of(), Set.of()).deadline(created, Duration.ofMinutes(1))).isNull();
  }

  @Test
  void followsDaylightSavingAndSplitShifts() {
    BusinessSchedule newYork = weekdays("America/New_York", Set.of(), "09:00-17:00");
    // Friday 16:00 EST (21:00Z) to Monday 10:00 EDT (14:00Z) across the switch on March 10th: 60 + 60.
    assertThat(newYork.between(Instant.parse("2024-03-08T21:00:00Z"), Instant.parse("2024-03-11T14:00:00Z")))
        .isEqualTo(Duration.ofMinutes(120));
    BusinessSchedule lunch = weekdays("UTC", Set.of(), "09:00-12:00", "13:00-18:00");
    assertThat(lunch.between(Instant.parse("2024-01-03T11:30:00Z"), Instant.parse("2024-01-03T13:30:00Z")))
        .isEqualTo(Duration.ofMinutes(60));
    assertThat(lunch.deadline(Instant.parse("2024-01-03T11:30:00Z"), Duration.ofMinutes(45)))
        .isEqualTo(Instant.parse("2024-01-03T13:15:00Z"));
    assertThatThrownBy(() -> weekdays("UTC", Set.of(), "13:00-18:00", "09:00-12:00"))
        .hasMessageContaining("overlap or are out of order");
  }

  @Test
  void roundTheClockIsElapsedTime() {
    Instant start = Instant.parse("2024-01-05T08:00:00Z");
    Instant end = Instant.parse("2024-01-09T01:30:17Z");
    assertThat(BusinessSchedule.always().between(start, end)).isEqualTo(Duration.between(start, end));
    assertThat(BusinessSchedule.always().deadline(start, Duration.ofHours(30))).isEqualTo(start.plus(Duration.ofHours(30)));
  }
}

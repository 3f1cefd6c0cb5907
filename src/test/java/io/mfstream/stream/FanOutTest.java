package io.mfstream.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mfstream.testing.UnitTest;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One copy of every valid rating per model, and the partitions that takes. */
@UnitTest
class FanOutTest {
  @Test
  void everyRatingShouldGoToOnePartitionPerModel() {
    assertEquals(Optional.of(Set.of(0, 1, 2)),
        PipelineTopology.fanOut(3).partitions("ratings-valid", new byte[0], null, 4));
  }

  @Test
  void fewerPartitionsThanModelsShouldBeRefusedSayingWhatToRaise() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> PipelineTopology.fanOut(3).partitions("ratings-valid", new byte[0], null, 2));
    assertEquals("topic ratings-valid has 2 partitions but 3 models are configured: it needs "
        + "one partition per model (raise its partitions)", e.getMessage());
    PipelineTopology.checkPartitions("ratings-valid", 3, 3); // enough: nothing thrown
  }
}

package io.mfstream.stream.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.mfstream.data.Rating;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.model.ParamTable;
import io.mfstream.model.Vocabulary;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.stream.StreamTestSupport;
import io.mfstream.stream.train.ModelFailure;
import io.mfstream.stream.train.ModelSpec;
import io.mfstream.stream.train.ModelStore;
import io.mfstream.testing.UnitTest;
import io.mfstream.train.OptimizerConfig;
import io.mfstream.train.TestRatings;
import io.mfstream.train.Trainer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A replica fed the trainer store's changes holds exactly the trainer's parameters at every
 * checkpoint once it is committed: what the serving replicas, which read the store's changelog,
 * rely on. A commit hands the changelog the latest value of every key written since the last one
 * (the store is cached), which is what feeding the difference between two snapshots of the store
 * does here.
 */
@UnitTest
class ReplicaConvergenceTest {
  private static final int BATCH = 8;

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void aReplicaFedTheStoresChangesShouldHoldTheTrainersParametersAtEveryCommit(ModelType type)
      throws ModelFailure {
    for (OptimizerConfig optimizer : List.of(OptimizerConfig.lazySgd(), OptimizerConfig.adam())) {
      ModelConfig model = ModelConfig.defaults(type).withFactors(6).withHidden(5)
          .withInitScale(0.1);
      ModelSpec spec = new ModelSpec("m", model, optimizer, BATCH, 30);
      KeyValueStore<Bytes, byte[]> store = StreamTestSupport.memoryStore("model-state");
      ModelStore trainer = ModelStore.open(store, spec, Kernels.forCurrentBackend());
      Replicas replicas = new Replicas(List.of("m"));
      Map<Bytes, byte[]> committed = new HashMap<>();
      List<Rating> data = TestRatings.random(BATCH * 15 + 3, 14, 11, 5);
      for (int n = 0; n < data.size(); n++) {
        trainer.observe(data.get(n), n);
        // Checkpoints, each followed by a commit, at irregular points: mid-batch, right after a
        // step, several steps apart.
        if (n % 5 == 0 || n % BATCH == BATCH - 1 || n == data.size() - 1) {
          trainer.checkpoint();
          committed = feedChanges(store, committed, replicas);
          assertSameParameters(trainer.learner().trainer(), replicas.get("m"),
              type + " " + optimizer.kind() + " after rating " + n);
        }
      }
    }
  }

  /** Applies what changed in the store since {@code before}; returns the store as of now. */
  private static Map<Bytes, byte[]> feedChanges(KeyValueStore<Bytes, byte[]> store,
      Map<Bytes, byte[]> before, Replicas replicas) {
    Map<Bytes, byte[]> now = StreamTestSupport.contents(store);
    for (Map.Entry<Bytes, byte[]> e : now.entrySet()) {
      if (!java.util.Arrays.equals(e.getValue(), before.get(e.getKey()))) {
        replicas.apply(0, e.getKey().get(), e.getValue());
      }
    }
    for (Bytes k : before.keySet()) {
      if (!now.containsKey(k)) {
        replicas.apply(0, k.get(), null);
      }
    }
    return now;
  }

  private static void assertSameParameters(Trainer trainer, ModelReplica replica, String when) {
    MfNetwork net = trainer.network();
    ModelReplica.Header h = replica.header();
    assertNotNull(h, when);
    assertEquals(trainer.version(), h.version(), when);
    assertEquals(trainer.trained(), h.trained(), when);
    assertEquals(net.globalMean(), h.mean(), when);
    assertEquals(net.users().size(), replica.users(), when);
    assertEquals(net.items().size(), replica.items(), when);
    assertRows(net.userTables(), net.users(), replica.userRows(), when + ", users");
    assertRows(net.itemTables(), net.items(), replica.itemRows(), when + ", items");
    // The dense layers, through the answers: the same arithmetic in another summation order.
    int n = Math.min(net.users().size(), net.items().size());
    if (n == 0) {
      return;
    }
    List<Rating> pairs = new java.util.ArrayList<>();
    for (int j = 0; j < n; j++) {
      pairs.add(new Rating(net.users().idAt(j), net.items().idAt(n - 1 - j), 0, 0));
    }
    float[] expected = new float[n];
    trainer.predict(pairs, 0, n, expected, new boolean[n]);
    for (int j = 0; j < n; j++) {
      Rating p = pairs.get(j);
      assertEquals(expected[j], replica.predict(h, p.user(), p.item()).rating(),
          1e-4 * Math.max(1, Math.abs(expected[j])), when + ": " + p.user() + ", " + p.item());
    }
  }

  private static void assertRows(List<ParamTable> tables, Vocabulary vocab, RowTable replica,
      String when) {
    for (int r = 0; r < vocab.size(); r++) {
      String id = vocab.idAt(r);
      float[] expected = new float[0];
      for (ParamTable t : tables) {
        float[] part = t.valueRows(r, r + 1).dup().data().asFloat();
        float[] joined = java.util.Arrays.copyOf(expected, expected.length + part.length);
        System.arraycopy(part, 0, joined, expected.length, part.length);
        expected = joined;
      }
      assertEquals(r, replica.row(id), when + ": the trainer's row of " + id);
      assertArrayEquals(expected, replica.copy(id), when + ": row of " + id);
    }
  }
}

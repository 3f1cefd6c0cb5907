package io.mfstream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.model.DenseParam;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.model.ParamTable;
import io.mfstream.model.kernel.HostKernels;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.testing.UnitTest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On the CPU backend a network runs its user and item sides on two threads: the results must be
 * bit for bit those of running them on one, for every network and optimiser.
 */
@UnitTest
@Timeout(120)
class SidesOnTwoThreadsTest {
  private static final int BATCH = 256;

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (ModelType type : ModelType.values()) {
      all.add(Arguments.of(type, OptimizerConfig.lazySgd()));
      all.add(Arguments.of(type, OptimizerConfig.tutorial()));
      all.add(Arguments.of(type, OptimizerConfig.adam()));
      all.add(Arguments.of(type,
          OptimizerConfig.adam().withEmbeddings(OptimizerConfig.EmbeddingUpdates.DENSE)));
    }
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void twoThreadsShouldGiveBitForBitTheResultsOfOne(ModelType type, OptimizerConfig opt) {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    Kernels twoThreads = recordingThreads(new HostKernels(), threads);
    Run parallel = train(type, opt, twoThreads);
    Run sequential = train(type, opt, new HostKernels(true, false));
    assertArrayEquals(sequential.losses, parallel.losses, "every step's loss");
    assertArrayEquals(sequential.parameters, parallel.parameters, "every parameter and state");
    assertArrayEquals(sequential.predictions, parallel.predictions, "predictions");
    if (Runtime.getRuntime().availableProcessors() > 1) {
      assertTrue(threads.stream().anyMatch(t -> t.startsWith("mfstream-lane-")),
          "the item side should have run on a helper lane; ran on " + threads);
    }
  }

  private record Run(double[] losses, float[] parameters, float[] predictions) {}

  private static Run train(ModelType type, OptimizerConfig optConfig, Kernels kernels) {
    ModelConfig cfg = ModelConfig.defaults(type).withFactors(64).withHidden(64).withInitScale(0.2);
    MfNetwork net = new MfNetwork(cfg, kernels, BATCH, 16);
    Optimizer opt = new Optimizer(optConfig);
    opt.attach(net);
    Random r = new Random(7);
    String[] users = new String[BATCH];
    String[] items = new String[BATCH];
    int[] userRows = new int[BATCH];
    int[] itemRows = new int[BATCH];
    float[] labels = new float[BATCH];
    double[] losses = new double[30];
    for (int step = 0; step < losses.length; step++) {
      int n = 1 + r.nextInt(BATCH);
      for (int b = 0; b < n; b++) {
        int u = r.nextInt(400);
        int i = r.nextInt(150);
        users[b] = "u" + u;
        items[b] = "i" + i;
        labels[b] = 1 + (u * 7 + i * 3) % 5;
      }
      net.userRows(users, n, userRows, true);
      net.itemRows(items, n, itemRows, true);
      losses[step] = net.forwardBackward(userRows, itemRows, labels, n, opt.step() + 1);
      opt.apply(net);
      net.observeLabels(labels, n);
    }
    float[] predictions = new float[BATCH];
    net.predict(userRows, itemRows, BATCH, predictions, null);
    List<float[]> parts = new ArrayList<>();
    for (ParamTable t : net.tables()) {
      parts.add(t.valueRows(0, t.rows()).dup().data().asFloat());
      for (int s = 0; s < t.stateSlots(); s++) {
        parts.add(t.stateRows(s, 0, t.rows()).dup().data().asFloat());
      }
    }
    for (DenseParam p : net.denseParams()) {
      parts.add(p.value().dup().data().asFloat());
      for (int s = 0; s < p.stateSlots(); s++) {
        parts.add(p.state(s).dup().data().asFloat());
      }
    }
    int size = parts.stream().mapToInt(a -> a.length).sum();
    float[] all = new float[size];
    int at = 0;
    for (float[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    assertEquals(size, at);
    return new Run(losses, all, predictions);
  }

  /** Kernels that note the name of every thread they run on, and so do their other instances. */
  private static Kernels recordingThreads(Kernels target, Set<String> threads) {
    return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(),
        new Class<?>[] {Kernels.class}, (proxy, method, args) -> {
          threads.add(Thread.currentThread().getName());
          try {
            Object result = method.invoke(target, args);
            return method.getName().equals("forAnotherThread") && result != null
                ? recordingThreads((Kernels) result, threads) : result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}

package dev.tersor.bench.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * DJL's side, on its PyTorch engine (CPU): {@link DjlNets}, {@code Optimizer.sgd()} with
 * momentum and weight decay (not DJL's default Adam), {@code softmaxCrossEntropyLoss}; training
 * steps written out (gradient collector, forward, loss, backward, {@code trainer.step()}) with a
 * sub-manager per step so each step's arrays are freed; inference through a {@link Predictor}.
 * Inputs are created per call in a sub-manager (as an application would), so every array computed
 * from them is freed with it. The engine's threads come from {@code -Dai.djl.pytorch.num_threads}, set by {@link #configure}
 * before the engine loads.
 */
final class DjlWorkload implements Workload {
    private final List<AutoCloseable> open = new ArrayList<>();

    /** Intra-op threads T and one inter-op thread; must run before anything touches the engine. */
    static void configure(int threads) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    }

    /** {@code PyTorch 2.7.1} or similar. */
    static String engine() {
        Engine e = Engine.getEngine("PyTorch");
        return e.getEngineName() + " " + e.getVersion();
    }

    @Override
    public String name() {
        return "djl";
    }

    private Trainer trainer(String name, Block block, Tracker lr, float weightDecay, Shape input) {
        Model model = Model.newInstance(name, Device.cpu(), "PyTorch");
        model.setBlock(block);
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(lr).optMomentum(0.9f).optWeightDecays(weightDecay).build();
        Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(sgd)
                .optDevices(new Device[] {Device.cpu()}));
        trainer.initialize(input);
        open.add(trainer);
        open.add(model);
        return trainer;
    }

    /** zero grads (the collector does), forward, loss, backward, SGD step; returns the loss. */
    private static float step(Trainer trainer, NDArray x, NDArray y) {
        float loss;
        try (GradientCollector gc = trainer.newGradientCollector()) {
            NDArray pred = trainer.forward(new NDList(x)).singletonOrThrow();
            NDArray l = trainer.getLoss().evaluate(new NDList(y), new NDList(pred));
            gc.backward(l);
            loss = l.getFloat();
        }
        trainer.step();
        return loss;
    }

    @Override
    public double lenetEpochSeconds(MnistData data, long seed) {
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        Tracker cosine = Tracker.cosine().setBaseValue(0.05f).optFinalValue(0f).setMaxUpdates(data.steps()).build();
        Trainer trainer = trainer("lenet5", DjlNets.lenet5(), cosine, 5e-4f, new Shape(MnistData.BATCH, 1, 28, 28));
        int[] order = data.order(seed);
        float[] x = new float[MnistData.BATCH * MnistData.PIXELS];
        int[] y = new int[MnistData.BATCH];
        float[] yf = new float[MnistData.BATCH];
        float last = 0;
        long t0 = System.nanoTime();
        for (int s = 0; s < data.steps(); s++) {
            data.batch(order, s, x, y);
            for (int i = 0; i < y.length; i++) yf[i] = y[i];
            try (NDManager sub = trainer.getManager().newSubManager()) {
                last = step(trainer, sub.create(x, new Shape(MnistData.BATCH, 1, 28, 28)), sub.create(yf, new Shape(MnistData.BATCH)));
            }
        }
        double seconds = (System.nanoTime() - t0) * 1e-9;
        if (!Float.isFinite(last)) throw new IllegalStateException("DJL LeNet-5 diverged: loss " + last);
        return seconds;
    }

    @Override
    public Runnable resnetStep(int batch, long seed) {
        Trainer trainer = trainer("resnet20", DjlNets.resnet20(), Tracker.fixed(0.1f), 1e-4f, new Shape(batch, 1, 28, 28));
        Random r = new Random(seed);
        float[] x = new float[batch * MnistData.PIXELS];
        float[] y = new float[batch];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < y.length; i++) y[i] = r.nextInt(10);
        return () -> {
            try (NDManager sub = trainer.getManager().newSubManager()) {   // frees the step's arrays
                step(trainer, sub.create(x, new Shape(batch, 1, 28, 28)), sub.create(y, new Shape(batch)));
            }
        };
    }

    @Override
    public Runnable inference(String model, long seed) {
        Block block = model.equals("lenet5") ? DjlNets.lenet5() : DjlNets.resnet20();
        Trainer trainer = trainer(model + "-eval", block, Tracker.fixed(0.1f), 0f, new Shape(1, 1, 28, 28));
        Predictor<NDList, NDList> p = trainer.getModel().newPredictor(new NoopTranslator());
        open.add(p);
        Random r = new Random(seed);
        float[] x = new float[MnistData.PIXELS];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        NDManager models = trainer.getManager();
        return () -> {
            try (NDManager sub = models.newSubManager()) {     // the input and every array computed from it
                p.predict(new NDList(sub.create(x, new Shape(1, 1, 28, 28)))).head().toFloatArray();
            } catch (TranslateException e) {
                throw new IllegalStateException("DJL inference failed", e);
            }
        };
    }

    @Override
    public long trainableParameters(String model) {
        Block block = model.equals("lenet5") ? DjlNets.lenet5() : DjlNets.resnet20();
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            block.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 1, 28, 28));
            long n = 0;
            for (var p : block.getParameters().values()) if (p.requiresGradient()) n += p.getArray().size();
            return n;
        }
    }

    /** DJL's LeNet-5, initialised, one forward of a blank image through a predictor; returns the logits. */
    static float[] firstInference() throws TranslateException {
        try (Model model = Model.newInstance("lenet5", Device.cpu(), "PyTorch")) {
            model.setBlock(DjlNets.lenet5());
            model.getBlock().initialize(model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 1, 28, 28));
            try (Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator())) {
                NDList out = p.predict(new NDList(model.getNDManager().zeros(new Shape(1, 1, 28, 28))));
                return out.head().toFloatArray();
            }
        }
    }

    @Override
    public void close() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                // closing a finished measurement's resources; nothing to report
            }
        }
        open.clear();
    }
}

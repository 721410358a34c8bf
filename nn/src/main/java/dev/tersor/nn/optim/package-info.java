/**
 * Optimizers and learning-rate schedules, step for step as PyTorch 1.13's {@code torch.optim}.
 * <ul>
 *   <li>{@link dev.tersor.nn.optim.Optimizer}: parameter groups ({@link dev.tersor.nn.optim.ParamGroup}),
 *       {@code step()}, {@code zeroGrad()}, and a state dict ({@link dev.tersor.nn.optim.OptimizerState})
 *       shaped for a safetensors file: buffers as tensors {@code state.<i>.<buffer>}, the rest as
 *       string metadata.</li>
 *   <li>{@link dev.tersor.nn.optim.Sgd}, {@link dev.tersor.nn.optim.Adam}, {@link dev.tersor.nn.optim.AdamW},
 *       {@link dev.tersor.nn.optim.RmsProp}, each with an options record validated in its constructor
 *       and a builder with PyTorch's defaults.</li>
 *   <li>{@link dev.tersor.nn.optim.LrScheduler}: {@link dev.tersor.nn.optim.StepLr},
 *       {@link dev.tersor.nn.optim.MultiStepLr}, {@link dev.tersor.nn.optim.CosineLr},
 *       {@link dev.tersor.nn.optim.OneCycleLr}.</li>
 *   <li>{@link dev.tersor.nn.optim.GradClip}: clipping by total gradient norm.</li>
 * </ul>
 * A step updates each parameter in one fused pass over its array, its gradient's and its state
 * buffers' (split over threads for large parameters), in PyTorch's float order of operations;
 * after the first step it allocates no buffers.
 * Golden trajectories: {@code nn/src/test/resources/optim/generate.py}.
 */
package dev.tersor.nn.optim;

/**
 * Knowledge distillation: a student learns from a teacher's outputs and features.
 * <ul>
 *   <li>{@link KdLoss}: Hinton et al.'s soft-target loss α·T²·KL(p_t^T ‖ p_s^T) + (1 − α)·CE,
 *       the KL summed and divided by the batch;</li>
 *   <li>{@link AttentionTransfer}: attention maps at(F) = normalize(mean_c F²) compared by
 *       mean squared error (weight 1000, as PAMS's SKT loss uses them);</li>
 *   <li>{@link DistillationLoss}: a {@link dev.tersor.nn.train.LossFunction} that captures the
 *       student's input batch through a forward pre-hook and runs a frozen teacher on it, so any
 *       training loop (fine-tuning after pruning or quantization) can distil;</li>
 *   <li>{@link PkkdModel} + {@link PkkdLoss}: progressive kernel based distillation for adder
 *       students (PKKD, Xu et al., NeurIPS 2020), a CNN teacher of the same architecture trained
 *       together with the adder student, features compared after {@link KernelFeatures kernel maps}.</li>
 * </ul>
 */
package dev.tersor.compress.distill;

/**
 * Safetensors files: {@link dev.tersor.nn.io.Safetensors} reads (strictly validated,
 * memory-mapped when large) and writes (atomically) them; {@link dev.tersor.nn.io.HalfPrecision}
 * converts F16/BF16/F8 bit patterns exactly.
 */
package dev.tersor.nn.io;

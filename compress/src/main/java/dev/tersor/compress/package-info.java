/**
 * Compression built on {@code dev.tersor.nn}: quantization ({@link dev.tersor.compress.quant}),
 * weight clustering and the compressed model file. Nothing in {@code nn} or {@code tensor}
 * depends on this module; compression swaps layers by dotted path ({@code Module.replace}) and
 * the result is an ordinary {@code Module}.
 */
package dev.tersor.compress;

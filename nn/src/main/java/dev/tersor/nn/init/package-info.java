/** Weight initialisation as {@code torch.nn.init}: see {@link dev.tersor.nn.init.Init}. */
package dev.tersor.nn.init;

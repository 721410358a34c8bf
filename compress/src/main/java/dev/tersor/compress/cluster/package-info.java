/**
 * Weight clustering (weight sharing) after DP-Net (Yang et al., arXiv 2003.09615): the exact
 * optimal 1-D clustering of a layer's weights by dynamic programming ({@link
 * dev.tersor.compress.cluster.OptimalClustering}; {@link dev.tersor.compress.cluster.KMeans} as the
 * usual local method), a clustering-friendly training penalty ({@link
 * dev.tersor.compress.cluster.ClusterRegularizer}), and layers whose weights are k = 2^bits shared,
 * trainable centres ({@link dev.tersor.compress.cluster.ClusteredConv2d}, {@link
 * dev.tersor.compress.cluster.ClusteredLinear}) swapped in by {@link dev.tersor.compress.cluster.Clustering#apply}.
 */
package dev.tersor.compress.cluster;

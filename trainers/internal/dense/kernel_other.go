//go:build !amd64

package dense

func kernel(k int, ap, bp []float64, tile *[mr * nr]float64) { kernelGo(k, ap, bp, tile) }

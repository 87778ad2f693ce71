//go:build !amd64 || purego

package boosting

// addRows is addRowsGo: there is no assembly here.
func addRows(h histogram, rows []int32, bins []uint8, p int, off []int, grad, hess []float64, count bool) {
	addRowsGo(h, rows, bins, p, off, grad, hess, count)
}

// scan is scanGo.
func scan(hb []bucket, lg, lh float64, ln int, c *scanNode, bestGain float64) (float64, int) {
	return scanGo(hb, lg, lh, ln, c, bestGain)
}

// scanUnit is scanUnitGo.
func scanUnit(hb []bucket, lg float64, ln int, c *scanNode, inv []float64, bestGain float64) (float64, int) {
	return scanUnitGo(hb, lg, ln, c, inv, bestGain)
}

// subtractBuckets is subtractGo.
func subtractBuckets(h, o histogram) { subtractGo(h, o) }

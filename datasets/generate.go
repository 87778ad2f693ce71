package datasets

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
)

// generatedClasses is the number of Gaussian clusters GenerateCSV draws.
const generatedClasses = 3

// GenerateCSV writes a synthetic classification dataset as CSV: a header
// x0..x{cols-1},label and rows rows, each drawn from one of three Gaussian
// clusters (unit variance, centres uniform in [-2, 2] per feature) whose
// label is "c0", "c1" or "c2". The same seed gives the same bytes. It is
// meant for benchmarks and large-data tests.
func GenerateCSV(w io.Writer, rows, cols int, seed uint64) error {
	if rows < 0 || cols < 1 {
		return fmt.Errorf("datasets: generate: need rows >= 0 and cols >= 1, got %d and %d", rows, cols)
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	centres := make([][]float64, generatedClasses)
	for k := range centres {
		centres[k] = make([]float64, cols)
		for j := range centres[k] {
			centres[k][j] = 4*rng.Float64() - 2
		}
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	line := make([]byte, 0, 16*cols)
	for j := range cols {
		line = append(line, 'x')
		line = strconv.AppendInt(line, int64(j), 10)
		line = append(line, ',')
	}
	line = append(line, "label\n"...)
	if _, err := bw.Write(line); err != nil {
		return fmt.Errorf("datasets: generate: %w", err)
	}
	for range rows {
		k := rng.IntN(generatedClasses)
		line = line[:0]
		for _, c := range centres[k] {
			line = strconv.AppendFloat(line, c+rng.NormFloat64(), 'f', 4, 64)
			line = append(line, ',')
		}
		line = append(line, 'c')
		line = strconv.AppendInt(line, int64(k), 10)
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("datasets: generate: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("datasets: generate: %w", err)
	}
	return nil
}

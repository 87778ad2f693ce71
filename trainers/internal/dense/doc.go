// Package dense holds the small dense kernels the trainers spend their
// time in: a row-major float64 matrix product (Gemm) for the shapes of
// this project's models — a few hundred rows by tens of columns — where
// gonum's general path loses to per-call overhead and, on arm64, to its
// scalar fallback.
//
// Gemm packs its operands into panels and runs a 4×8 register-tiled
// micro-kernel: AVX2+FMA assembly on amd64 CPUs that have it, a pure-Go
// kernel elsewhere (arm64 Lambda, where the Go compiler fuses the
// multiply-adds itself) and with the purego build tag. PackLeft and
// PackRight pack a matrix once for trainers that multiply their training
// rows at every iteration. L1Distances, for knn, runs the same blocking
// with |a-b| in place of a·b.
//
// The order of the arithmetic depends only on the shapes, never on
// scheduling, so results are deterministic on a given machine; they may
// differ in the last bits between machines with and without fused
// multiply-add.
package dense

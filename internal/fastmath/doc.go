// Package fastmath holds elementary functions faster than package math's
// where the project spends its time in them, within a few ulps of them:
// Exp, for the trainers' softmax and sigmoid and for the sums of
// exponentials in the TPE sampler's Parzen densities.
package fastmath

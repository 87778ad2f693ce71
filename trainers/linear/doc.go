// Package linear provides the linear model families, each a
// trainers.Learner registered under scikit-learn's meaning of its name:
//
//   - logistic_regression: multinomial (softmax) logistic regression with
//     an L2 penalty, minimizing C·Σ log-loss + ½‖W‖² with an unpenalized
//     intercept, solved by L-BFGS with an analytic gradient, like
//     LogisticRegression(solver="lbfgs"), stopping where scipy's L-BFGS-B
//     does by default (gtol = tol, ftol = 1e7·eps). Its two products per
//     evaluation run on trainers/internal/dense with the training rows
//     packed once. It predicts probabilities.
//   - linear_svm: a linear support vector classifier with the squared hinge
//     loss and an L2 penalty, one-vs-rest, solved in the dual by coordinate
//     descent with shrinking, like LinearSVC (liblinear). As in liblinear
//     the intercept is a constant feature of value 1 and is penalized.
//   - ridge: least squares with an L2 penalty alpha‖w‖², closed form by a
//     Cholesky solve with the intercept left unpenalized by centering, like
//     Ridge.
//
// All three want standardized features (trainers.Scaled reports
// "standard"), use only the goroutine that calls them, and are
// deterministic: linear_svm, the only one with randomness (the order of
// coordinate updates), draws it from Config.Seed.
package linear

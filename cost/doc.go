// Package cost prices a study: what its trials cost on AWS Lambda or on
// this machine, how long they would take on Lambda at a given concurrency,
// and what a planned study will cost before it runs.
//
// Everything here is a pure function of trial results and a price table:
//
//   - StudyCost prices a finished study's results on a Backend (Lambda or
//     local) with Prices, giving a Breakdown.
//   - Project predicts the wall time and cost of the same trials on real
//     Lambda at concurrency N, from their measured billed durations and
//     cold starts, bounded by Lambda's scaling rate.
//   - Estimate predicts invocations, GB-seconds and a cost range for a
//     planned study from a short calibration run or an earlier journal.
//   - Compare puts a local and a Lambda run of one study side by side.
//
// Prices are one table, DefaultPrices, with the date and source of every
// figure; ParsePrices reads overrides from YAML or JSON.
package cost

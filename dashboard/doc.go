// Package dashboard serves a live, read-only web view of studies: a list
// of studies, one page per study whose charts follow the journal as
// results land, a trial table to sort and filter, and a page per trial.
//
// The pages are static files embedded in the binary (package
// dashboard/web, with its pinned Apache ECharts); they poll a small JSON
// API (documented in the README) that this package computes from each
// study's journal. Everything a chart shows is downsampled on the server
// (at most a few thousand points a chart), so a study of 100,000 trials
// loads as fast as one of 100.
//
// Safety: the server only reads (it opens studies through the Loader it is
// given and never writes), serves no file from disk (only the embedded
// assets and JSON computed from the studies it was given: any other path,
// traversal in any encoding included, is a 404), and, when given a token,
// refuses every request that does not carry it. CheckAddr refuses a
// non-loopback address without a token.
package dashboard

package objective

import (
	"hash/fnv"
	"sort"

	"github.com/hpsearch/hpsearch/trial"
)

// Noop is the value of the noop objective: the sum of the numeric
// parameters, plus 1 for each true bool, plus for each string a stable hash
// of it mapped to [0, 1). Parameters are added in name order, so the value
// is the same on every machine and in every process. It exists to measure
// the overhead of the scheduler and executors with trials that cost
// nothing.
func Noop(p trial.Params) float64 {
	names := make([]string, 0, len(p))
	for k := range p {
		names = append(names, k)
	}
	sort.Strings(names)
	var f float64
	for _, k := range names {
		switch v := p[k].(type) {
		case float64:
			f += v
		case int:
			f += float64(v)
		case int64:
			f += float64(v)
		case bool:
			if v {
				f++
			}
		case string:
			h := fnv.New64a()
			h.Write([]byte(v))
			f += float64(h.Sum64()>>11) / (1 << 53)
		}
	}
	return f
}

var noop = function{
	info: trial.ModelInfo{
		Name:     "noop",
		Help:     "free-form: accepts any parameters and returns a cheap deterministic function of them, to measure overhead",
		FreeForm: true,
	},
	eval: func(p trial.Params) (float64, error) { return Noop(p), nil },
}

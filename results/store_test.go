package results_test

import (
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/results/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) results.Store { return results.NewMemory() })
}

func TestJournalConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) results.Store {
		j, err := results.Create(t.TempDir(), "study", []byte("name: study\n"), []byte(`{"name":"study"}`))
		if err != nil {
			t.Fatal(err)
		}
		return j
	})
}

package model_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/model"
	"github.com/hpsearch/hpsearch/trial"
)

// TestLoadRefuses checks that a model file of another version, a damaged
// file and a checksum mismatch are refused, each with its sentinel and
// trial.ErrBadInput.
func TestLoadRefuses(t *testing.T) {
	good := save(t, fit(t, fitRequest("iris", "knn", nil, 1)))
	header, body, _ := strings.Cut(string(good), "{")
	body = "{" + body
	lines := strings.SplitN(header, "\n", 3)
	flip := []byte(body)
	flip[len(flip)/2] ^= 1
	// A body that is valid JSON, with its checksum, but not a model.
	resum := func(b string) string { return lines[0] + "\nsha256 " + sha256Hex(b) + "\n" + b }
	cases := []struct {
		name string
		file string
		want error
	}{
		{"empty", "", model.ErrDamaged},
		{"not a model file", "sepal_length,sepal_width\n1,2\n", model.ErrVersion},
		{"version 2", strings.Replace(string(good), "hpsearch-model 1\n", "hpsearch-model 2\n", 1), model.ErrVersion},
		{"version 0", strings.Replace(string(good), "hpsearch-model 1\n", "hpsearch-model 0\n", 1), model.ErrVersion},
		{"cut after the header", lines[0] + "\n", model.ErrDamaged},
		{"cut short", string(good[:len(good)-10]), model.ErrChecksum},
		{"a byte changed", lines[0] + "\n" + lines[1] + "\n" + string(flip), model.ErrChecksum},
		{"bad checksum line", lines[0] + "\nsha256 xyz\n" + body, model.ErrDamaged},
		{"not JSON", resum("{nope"), model.ErrDamaged},
		{"unknown field", resum(strings.Replace(body, `"family"`, `"colour":1,"family"`, 1)), model.ErrDamaged},
		{"unknown family", resum(strings.Replace(body, `"family":"knn"`, `"family":"nope"`, 1)), model.ErrDamaged},
		{"bad state", resum(strings.Replace(body, `"estimator_state":"`, `"estimator_state":"AAAA`, 1)), model.ErrDamaged},
		{"fewer features", resum(strings.Replace(body, `"sepal_length",`, ``, 1)), model.ErrDamaged},
		{"two documents", resum(body + body), model.ErrDamaged},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := model.Load(strings.NewReader(c.file))
			if !errors.Is(err, c.want) || !errors.Is(err, trial.ErrBadInput) {
				t.Errorf("got %v, want %v and ErrBadInput", err, c.want)
			}
		})
	}
}

// TestLoadFile checks that errors name the file.
func TestLoadFile(t *testing.T) {
	path := writeFile(t, "m.model", "hpsearch-model 9\n")
	_, err := model.LoadFile(path)
	if !errors.Is(err, model.ErrVersion) || !strings.Contains(err.Error(), path) {
		t.Errorf("got %v, want ErrVersion naming %s", err, path)
	}
	if _, err := model.LoadFile(path + ".none"); !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("missing file: got %v", err)
	}
	m := fit(t, fitRequest("iris", "naive_bayes", nil, 1))
	saved := writeFile(t, "nb.model", "")
	if err := m.SaveFile(saved); err != nil {
		t.Fatal(err)
	}
	if _, err := model.LoadFile(saved); err != nil {
		t.Fatal(err)
	}
}

// FuzzLoad checks that Load never panics, whatever the file. The fuzzer
// varies the JSON document, and the checksum line is computed for it, so
// that the variations get past the checksum to the decoder and the
// families' state decoders.
func FuzzLoad(f *testing.F) {
	for _, family := range []string{"decision_tree", "gradient_boosting", "knn", "mlp"} {
		good := string(save(f, fit(f, fitRequest("iris", family, small[family], 1))))
		_, body, _ := strings.Cut(good, "\n{")
		f.Add([]byte("{" + body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		file := "hpsearch-model 1\nsha256 " + sha256Hex(string(body)) + "\n" + string(body)
		m, err := model.Load(strings.NewReader(file))
		if err == nil {
			// Whatever loads must predict or refuse, never panic.
			_, _ = m.PredictRows([][]float64{{1, 2, 3, 4}}, false)
		}
	})
}

package results

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// WriteCSV writes t as CSV (RFC 4180: a header of Columns, fields with
// commas, quotes or line breaks quoted, quotes doubled), one record per
// trial, that pandas.read_csv and R's read.csv read without options: a
// missing cell is empty, numbers keep full precision, infinities are
// Inf and -Inf, booleans true and false. Text is written as it is
// recorded (unlike the leaderboard's CSV, no formula guard: this file is
// for data tools, not spreadsheets).
func (t *TrialTable) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns()); err != nil {
		return fmt.Errorf("results: export csv: %w", err)
	}
	kinds := t.kinds()
	cells := make([]cell, len(kinds))
	record := make([]string, len(kinds))
	for i := range t.rows {
		t.row(i, cells)
		for j, c := range cells {
			record[j] = csvValue(c, kinds[j])
		}
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("results: export csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("results: export csv: %w", err)
	}
	return nil
}

func csvValue(c cell, k cellKind) string {
	if c.null {
		return ""
	}
	switch k {
	case intCell:
		return strconv.FormatInt(c.i, 10)
	case uintCell:
		return strconv.FormatUint(c.u, 10)
	case floatCell:
		switch {
		case math.IsInf(c.f, 1):
			return "Inf"
		case math.IsInf(c.f, -1):
			return "-Inf"
		case math.IsNaN(c.f):
			return "NaN"
		}
		return strconv.FormatFloat(c.f, 'g', -1, 64)
	case boolCell:
		return strconv.FormatBool(c.b)
	}
	return c.s
}

// WriteJSONL writes t as JSON Lines: one JSON object per trial and line,
// its keys the Columns in order, a missing cell null (so is a number JSON
// cannot hold: NaN or an infinity), which pandas.read_json(lines=True)
// and R's jsonlite::stream_in read without options.
func (t *TrialTable) WriteJSONL(w io.Writer) error {
	bw := bufio.NewWriter(w)
	cols := t.Columns()
	keys := make([][]byte, len(cols))
	for j, name := range cols {
		k, _ := json.Marshal(name)
		keys[j] = append(k, ':')
	}
	kinds := t.kinds()
	cells := make([]cell, len(kinds))
	var line []byte
	for i := range t.rows {
		t.row(i, cells)
		line = append(line[:0], '{')
		for j, c := range cells {
			if j > 0 {
				line = append(line, ',')
			}
			line = append(line, keys[j]...)
			line = appendJSONValue(line, c, kinds[j])
		}
		line = append(line, '}', '\n')
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("results: export jsonl: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("results: export jsonl: %w", err)
	}
	return nil
}

func appendJSONValue(b []byte, c cell, k cellKind) []byte {
	if c.null {
		return append(b, "null"...)
	}
	switch k {
	case intCell:
		return strconv.AppendInt(b, c.i, 10)
	case uintCell:
		return strconv.AppendUint(b, c.u, 10)
	case floatCell:
		if math.IsNaN(c.f) || math.IsInf(c.f, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, c.f, 'g', -1, 64)
	case boolCell:
		return strconv.AppendBool(b, c.b)
	}
	s, _ := json.Marshal(c.s)
	return append(b, s...)
}

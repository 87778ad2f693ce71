package commandrun

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// lineKind says what a line of the command's standard output is.
type lineKind int

const (
	logLine          lineKind = iota // anything else: goes to the log
	intermediateLine                 // {"step": n, "score": x}
	resultLine                       // {"score": x}
)

// report is a protocol line read from the command's standard output.
type report struct {
	kind  lineKind
	step  int64
	score float64
}

// parseLine reads one line of standard output (without its newline). A
// line that is not a JSON object, or one without "score", is a log line;
// one that mentions "score" but cannot be read is an error, as is a score
// that is not a finite number or a step that is not a whole number.
func parseLine(line []byte) (report, error) {
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return report{}, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil {
		if !bytes.Contains(trimmed, []byte(`"score"`)) {
			return report{}, nil // some other output that happens to start with {
		}
		for _, word := range []string{"NaN", "Infinity"} {
			if bytes.Contains(trimmed, []byte(word)) {
				return report{}, fmt.Errorf("the score is %s, which is not a number: JSON has no %s (Python's json.dumps writes it for float('nan') and float('inf'); check the score before printing it)", word, word)
			}
		}
		return report{}, fmt.Errorf("a line with \"score\" is not valid JSON: %v", err)
	}
	rawScore, ok := fields["score"]
	if !ok {
		return report{}, nil
	}
	score, err := number(rawScore)
	if err != nil {
		return report{}, fmt.Errorf("score %w", err)
	}
	rawStep, ok := fields["step"]
	if !ok {
		return report{kind: resultLine, score: score}, nil
	}
	step, err := number(rawStep)
	if err != nil {
		return report{}, fmt.Errorf("step %w", err)
	}
	if step < 0 || step != math.Trunc(step) || step > 1<<53 {
		return report{}, fmt.Errorf("step %s is not a whole number of at least 0", strconv.FormatFloat(step, 'g', -1, 64))
	}
	return report{kind: intermediateLine, step: int64(step), score: score}, nil
}

// number decodes a JSON number; its error completes "score ...".
func number(raw json.RawMessage) (float64, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, fmt.Errorf("is not valid JSON: %v", err)
	}
	switch x := v.(type) {
	case float64:
		return x, nil // JSON numbers are finite; too large ones fail to decode
	case string:
		return 0, fmt.Errorf("is the string %q, not a number: print it without quotes", x)
	case nil:
		return 0, fmt.Errorf("is null, not a number")
	}
	return 0, fmt.Errorf("is %s, not a number", raw)
}

package results

import (
	"fmt"
	"io"
	"reflect"

	"github.com/parquet-go/parquet-go"
)

// WriteParquet writes t as one Parquet file: the Columns in order, each
// optional (null where a cell is missing), number and rung as INT64,
// seed as unsigned INT64, params_ columns by their kind (INT64, DOUBLE,
// BOOLEAN or UTF-8 STRING), the other numbers DOUBLE, text as STRING. It
// writes rows as it builds them, in row groups of parquet-go's default
// size, Snappy-compressed (the codec every Parquet reader has).
func (t *TrialTable) WriteParquet(w io.Writer) error {
	cols := t.Columns()
	kinds := t.kinds()
	fields := make([]parquet.Field, len(cols))
	for j, name := range cols {
		fields[j] = &orderedField{Node: parquet.Optional(parquetNode(kinds[j])), name: name, index: j}
	}
	schema := parquet.NewSchema("trials", orderedGroup{fields: fields})
	pw := parquet.NewWriter(w, schema, parquet.Compression(&parquet.Snappy))
	cells := make([]cell, len(kinds))
	row := make(parquet.Row, len(kinds))
	for i := range t.rows {
		t.row(i, cells)
		for j, c := range cells {
			row[j] = parquetValue(c, kinds[j]).Level(0, 1, j)
			if c.null {
				row[j] = parquet.NullValue().Level(0, 0, j)
			}
		}
		if _, err := pw.WriteRows([]parquet.Row{row}); err != nil {
			return fmt.Errorf("results: export parquet: %w", err)
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("results: export parquet: %w", err)
	}
	return nil
}

func parquetNode(k cellKind) parquet.Node {
	switch k {
	case intCell:
		return parquet.Int(64)
	case uintCell:
		return parquet.Uint(64)
	case floatCell:
		return parquet.Leaf(parquet.DoubleType)
	case boolCell:
		return parquet.Leaf(parquet.BooleanType)
	}
	return parquet.String()
}

func parquetValue(c cell, k cellKind) parquet.Value {
	switch k {
	case intCell:
		return parquet.Int64Value(c.i)
	case uintCell:
		return parquet.Int64Value(int64(c.u)) // the same 64 bits, read as unsigned
	case floatCell:
		return parquet.DoubleValue(c.f)
	case boolCell:
		return parquet.BooleanValue(c.b)
	}
	return parquet.ByteArrayValue([]byte(c.s))
}

// orderedGroup is a Parquet group whose fields keep the order given:
// parquet.Group, a map, sorts them by name.
type orderedGroup struct {
	parquet.Group
	fields []parquet.Field
}

func (g orderedGroup) Fields() []parquet.Field { return g.fields }

func (g orderedGroup) String() string { return fmt.Sprintf("group of %d columns", len(g.fields)) }

// GoType is a struct of one field per column, for parquet-go's
// reflection paths, which these rows, written as parquet.Row, do not take.
func (g orderedGroup) GoType() reflect.Type {
	sf := make([]reflect.StructField, len(g.fields))
	for i, f := range g.fields {
		sf[i] = reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: f.GoType()}
	}
	return reflect.StructOf(sf)
}

// orderedField is a named column of an orderedGroup.
type orderedField struct {
	parquet.Node
	name  string
	index int
}

func (f *orderedField) Name() string { return f.name }

// Value is the field's value in a Go struct of the group's GoType.
func (f *orderedField) Value(base reflect.Value) reflect.Value {
	return reflect.Indirect(base).Field(f.index)
}

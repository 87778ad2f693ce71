package datasets_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/hpsearch/hpsearch/datasets"
)

func ExampleLoad() {
	d, err := datasets.Load("iris", datasets.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Name, d.Task, d.Rows, "rows", d.Cols, "features")
	fmt.Println("classes:", d.Classes)
	fmt.Println("first row:", d.X[:d.Cols], "label", d.Classes[int(d.Y[0])])
	// Output:
	// iris classification 150 rows 4 features
	// classes: [setosa versicolor virginica]
	// first row: [5.1 3.5 1.4 0.2] label setosa
}

func ExampleReadCSV() {
	const data = `rooms,district,price
3,north,250.5
2,south,180
4,north,310
`
	d, err := datasets.ReadCSV(strings.NewReader(data), "houses.csv", datasets.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Task, d.Features)
	fmt.Println(d.X[:d.Cols], d.Y)

	_, err = datasets.ReadCSV(strings.NewReader("a,y\n1,x\n2,\n"), "bad.csv", datasets.Options{})
	fmt.Println(err)
	// Output:
	// regression [rooms district=north district=south]
	// [3 1 0] [250.5 180 310]
	// bad.csv:3: y: target value is missing; remove unlabelled rows
}

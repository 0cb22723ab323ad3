//go:build !js && !wasip1

package main

import (
	"fmt"
	"io"
	"os"
)

// On a native build, evaluate stdin: {"version":"latest","template":{...}}.
func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(evaluate(in)))
}

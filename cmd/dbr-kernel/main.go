// Command dbr-kernel is a Jupyter kernel for dbr: each notebook gets one
// dbr session (the REPL's, with engine, nn, inspect and display imported)
// that keeps every variable between cells.
//
//	dbr-kernel install [--user | --prefix DIR]   install the kernelspec "dbr"
//	dbr-kernel -f CONNECTION_FILE               run (Jupyter starts it so)
//
// It speaks the Jupyter messaging protocol 5.3 over pure-Go ZeroMQ
// (github.com/go-zeromq/zmq4): shell, control, iopub, stdin and heartbeat,
// every message signed with HMAC-SHA256; a message with a bad signature is
// dropped and logged, never executed. A bare expression's value is an
// execute_result (a tensor also as an HTML table), output is streamed,
// inspect's plots and display.Image/HTML/Show are display_data, a progress
// line updates in place, and every `:` command works in a cell.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 && args[0] == "install" {
		if err := install(args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "dbr-kernel install:", err)
			return 1
		}
		return 0
	}
	fs := flag.NewFlagSet("dbr-kernel", flag.ContinueOnError)
	file := fs.String("f", "", "the connection `file` Jupyter wrote")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: dbr-kernel -f CONNECTION_FILE\n       dbr-kernel install [--user | --prefix DIR]")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *file == "" {
		fs.Usage()
		return 2
	}
	logger := log.New(os.Stderr, "dbr-kernel: ", log.LstdFlags)
	b, err := os.ReadFile(*file)
	if err != nil {
		logger.Print(err)
		return 1
	}
	var conn connection
	if err := json.Unmarshal(b, &conn); err != nil {
		logger.Printf("%s: %v", *file, err)
		return 1
	}
	k, err := newKernel(conn, logger)
	if err != nil {
		logger.Print(err)
		return 1
	}
	// SIGINT interrupts the running cell (the variables stay), as the
	// interrupt_request does; it never ends the kernel.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range sig {
			if s == syscall.SIGTERM {
				os.Exit(0)
			}
			k.s.Interrupt()
		}
	}()
	k.serve()
	return 0
}

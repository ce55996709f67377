"""jupyter_kernel_test's whole suite against the dbr kernel.

Run by kernel_test.go (TestJupyterKernelTest) with JUPYTER_PATH pointing at a
kernelspec "dbr" for the binary under test, and Debian's /usr/bin/python3.
"""
import unittest

import jupyter_kernel_test


class DbrKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "dbr"
    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'fmt.Println("hello, world")'
    code_stderr = 'fmt.Fprintln(os.Stderr, "to stderr")'

    completion_samples = [
        {"text": "engine.Zeros", "matches": ["Zeros", "ZerosLike"]},
        {"text": "x := 1\nfmt.Prin", "matches": ["Print", "Printf", "Println"]},
        {"text": ":vars"},
    ]

    complete_code_samples = ["x := 1", "fmt.Println(1)\n", "func f() int { return 1 }", ":vars"]
    incomplete_code_samples = ["x := engine.Ones(2,", "func f() {", "y := `raw", "a := 1 +"]
    invalid_code_samples = ["x := )", "}}", "x := 1 )", "if x { } else }"]

    code_page_something = "engine.Zeros?"

    code_generate_error = 'engine.Ones(2, 3).MatMul(engine.Ones(2, 3))'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "engine.Ones(2, 2)", "mime": "text/html"},
        {"code": "engine.Ones(2, 2)", "result": "tensor([[1 1] [1 1]], shape=[2 2])"},
    ]

    code_display_data = [
        {"code": "inspect.Plot([]float64{3, 1, 2})", "mime": "image/png"},
        {"code": 'display.HTML("<b>hi</b>")', "mime": "text/html"},
        {"code": "engine.Seed(1); display.Show(engine.Randn(2, 2))", "mime": "text/html"},
    ]

    code_history_pattern = "6 *"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "engine.Zeros"

    code_clear_output = "display.Clear()"


if __name__ == "__main__":
    unittest.main(verbosity=2)

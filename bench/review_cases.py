"""Known-defective functions for the review benchmark: each has one defect, on the line named.

Written for the benchmark (not taken from a model's output): the classic slips a reviewer should catch —
off-by-one, unbounded recursion, leaked file, mutable default, infinite loop, inverted condition, eval of
input, a guard that does the opposite, an index past the end, a wrong operator.
"""

from __future__ import annotations

# (name, source, 1-based line of the defect)
DEFECTIVE: list[tuple[str, str, int]] = [
    ("average_off_by_one", "def average(values):\n    total = sum(values)\n    return total / len(values) - 1\n", 3),
    ("last_past_the_end", "def last(items):\n    return items[len(items)]\n", 2),
    ("factorial_no_base_case", "def fact(n):\n    return n * fact(n - 1)\n", 2),
    ("file_never_closed", "def read_config(path):\n    f = open(path)\n    data = f.read()\n    return data\n", 2),
    ("mutable_default", "def add_item(item, bucket=[]):\n    bucket.append(item)\n    return bucket\n", 1),
    ("loop_never_ends", "def count_down(n):\n    while n > 0:\n        print(n)\n    return n\n", 2),
    ("is_even_inverted", "def is_even(n):\n    return n % 2 == 1\n", 2),
    ("eval_of_input", "def load(text):\n    return eval(text)\n", 2),
    ("guard_backwards", "def safe_div(a, b):\n    if b == 0:\n        return a / b\n    return 0\n", 3),
    (
        "range_one_too_far",
        "def contains(xs, x):\n    for i in range(len(xs) + 1):\n        if xs[i] == x:\n            return True\n"
        "    return False\n",
        2,
    ),
    (
        "max_uses_min",
        "def largest(values):\n    best = values[0]\n    for v in values:\n        best = min(best, v)\n"
        "    return best\n",
        4,
    ),
    (
        "sql_by_formatting",
        "def find_user(cursor, name):\n    cursor.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n"
        "    return cursor.fetchone()\n",
        2,
    ),
]

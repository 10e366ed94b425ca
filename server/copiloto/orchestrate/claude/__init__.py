"""What Claude is asked for each task: the prompt, the tool its answer must fill, and how the answer is read."""

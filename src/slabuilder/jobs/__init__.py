"""One module per command's workflow, as a typed library call the CLI (and anything else)
uses: the command line only parses options, calls the job and prints its result."""

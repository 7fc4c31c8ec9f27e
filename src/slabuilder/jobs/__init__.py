"""One module per workflow (calibrate, score, ...): typed library calls that the command line
and any other front end share.  Each job reads its inputs, runs the library and writes its
outputs; it prints nothing."""

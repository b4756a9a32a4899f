//! The command line as users meet it: exit codes, messages, files.

//! LUT and CDL file formats: one module per format, each with its reader, writer and tests.

//! Image files for `lookwire apply` and frame sources: OpenEXR, TIFF, DPX, PNG.

//! What `lookwire bake` writes: a look baked exactly (f64) into a `.cube` file whose
//! comments say what it holds (input, working space, CDL, look LUTs, and the output with
//! its peak, encoding, primaries and signal range). The bake command, the shipped-LUT
//! script (through it) and color/tests/shipped_luts.rs all go through [`CubeBake`].
//!
//! ```
//! use lookwire_color::output::bake_file::CubeBake;
//! use lookwire_color::pipeline::WorkingSpace;
//! let bake = CubeBake::new("arri-logc3-awg3", WorkingSpace::Camera, "aces2-sdr-rec709", 2);
//! let file = bake.bake().unwrap().file;
//! assert!(file.comments[1].ends_with("full range"));
//! ```

use crate::cdl::{Cdl, CdlStyle};
use crate::formats::{LutFile, LutFormat, Precision};
use crate::pipeline::{resolve_output, Look, Op, Output, PipelineError, WorkingSpace};
use crate::spaces;

use super::{OutputTransform, SignalRange};

/// Errors from baking a look into a file. Each message holds its cause's text (the
/// cause is not also chained as a source, so a report prints it once).
#[derive(Debug, thiserror::Error)]
pub enum BakeFileError {
    #[error("--input: {0}")]
    Input(spaces::SpaceError),
    #[error("--output: {0}")]
    Output(PipelineError),
    #[error("--size: {0}")]
    Bake(PipelineError),
    #[error(transparent)]
    Format(#[from] crate::formats::FormatError),
}

/// One `lookwire bake`: everything that decides the baked file.
#[derive(Clone, Debug)]
pub struct CubeBake {
    /// Input space id (any registered space, e.g. `arri-logc3-awg3-ei1600`).
    pub input: String,
    pub working: WorkingSpace,
    pub cdl: Cdl,
    pub cdl_style: CdlStyle,
    /// Look LUTs (as ops) applied in the working space after the CDL, in order.
    pub looks: Vec<Op>,
    /// How the look LUTs are named in the file's comments (their paths).
    pub look_names: Vec<String>,
    /// Output space or display transform id.
    pub output: String,
    pub range: SignalRange,
    /// The ACES 1.3 reference gamut compression in front of the output.
    pub gamut_compress: bool,
    /// Lattice size N.
    pub size: usize,
}

/// A baked file and how many of its values were clamped to ±65504.
#[derive(Clone, Debug)]
pub struct BakedCube {
    pub file: LutFile,
    pub clamped: usize,
}

impl CubeBake {
    /// An ungraded bake (identity CDL in ASC style, no look LUT, full range).
    pub fn new(input: &str, working: WorkingSpace, output: &str, size: usize) -> Self {
        Self {
            input: input.to_owned(),
            working,
            cdl: Cdl::IDENTITY,
            cdl_style: CdlStyle::Asc,
            looks: Vec::new(),
            look_names: Vec::new(),
            output: output.to_owned(),
            range: SignalRange::Full,
            gamut_compress: false,
            size,
        }
    }

    /// The output ops: gamut compression first when asked, the range last.
    pub fn output_ops(&self) -> Result<Output, BakeFileError> {
        let mut output = resolve_output(&self.output).map_err(BakeFileError::Output)?;
        if self.gamut_compress {
            output = output.with_gamut_compression();
        }
        Ok(output.with_range(self.range))
    }

    /// The look this bake evaluates.
    pub fn look(&self) -> Result<Look, BakeFileError> {
        Ok(Look {
            input: spaces::lookup(&self.input).map_err(BakeFileError::Input)?,
            working: self.working,
            cdl: self.cdl,
            cdl_style: self.cdl_style,
            looks: self.looks.clone(),
            output: self.output_ops()?,
        })
    }

    /// Bakes the look (exact, f64 per node) into a file with its title and comments.
    pub fn bake(&self) -> Result<BakedCube, BakeFileError> {
        let baked = self
            .look()?
            .pipeline()
            .map_err(BakeFileError::Bake)?
            .bake(self.size)
            .map_err(BakeFileError::Bake)?;
        let mut file = LutFile::from_3d(baked.lut);
        file.title = Some(format!("lookwire {} to {}", self.input, self.output));
        file.comments = vec![self.describe_grade(), self.describe_output()];
        Ok(BakedCube {
            file,
            clamped: baked.clamped,
        })
    }

    /// [`Self::bake`], written as `.cube` text with the given precision.
    pub fn cube_bytes(&self, precision: Precision) -> Result<(Vec<u8>, usize), BakeFileError> {
        let baked = self.bake()?;
        Ok((
            LutFormat::Cube.write(&baked.file, precision)?,
            baked.clamped,
        ))
    }

    /// The comment line that says what the grade is.
    pub fn describe_grade(&self) -> String {
        let (sop, sat) = self.cdl.to_sop_sat();
        let sop: Vec<String> = sop.iter().map(|v| v.to_string()).collect();
        format!(
            "lookwire bake: input {} working {} CDL ({}) sop {} sat {sat} look LUTs [{}] output {}",
            self.input,
            self.working,
            self.cdl_style,
            sop.join(" "),
            self.look_names.join(", "),
            self.output
        )
    }

    /// The comment line that says what the output encodes: range, peak, encoding.
    pub fn describe_output(&self) -> String {
        let gc = if self.gamut_compress {
            "ACES 1.3 reference gamut compression, then "
        } else {
            ""
        };
        let range = self.range;
        match OutputTransform::from_id(&self.output) {
            Some(t) => {
                let i = t.info();
                format!(
                    "output: {gc}{} ({} cd/m2 peak, {}, {} limited, {} primaries), {range} range",
                    i.name,
                    i.peak_nits,
                    i.encoding.name(),
                    i.limiting.name(),
                    i.encoding_primaries.name()
                )
            }
            None => format!("output: {gc}{}, {range} range", self.output),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_say_the_range_and_the_output() {
        let mut bake = CubeBake::new(
            "sony-slog3-sgamut3",
            WorkingSpace::AcesCct,
            "aces2-hdr-rec2100-pq1000",
            2,
        );
        bake.range = SignalRange::Legal;
        bake.gamut_compress = true;
        let out = bake.describe_output();
        assert!(out.ends_with("legal range"), "{out}");
        assert!(
            out.contains("1000 cd/m2 peak") && out.contains("PQ"),
            "{out}"
        );
        assert!(out.contains("gamut compression"), "{out}");
        // A camera space as output says its range too.
        let space = CubeBake::new("sony-slog3-sgamut3", WorkingSpace::Camera, "aces2065-1", 2);
        assert!(space.describe_output().ends_with("full range"));
        // Legal black is code 64 in the baked lattice.
        let lut = bake.bake().unwrap().file.lut3d.unwrap();
        assert!((lut.data()[0][1] * 1023.0 - 64.0).abs() < 0.5);
    }

    #[test]
    fn bad_ids_name_the_flag() {
        let bad_in = CubeBake::new("nope", WorkingSpace::Camera, "aces2-sdr-rec709", 2);
        assert!(bad_in
            .bake()
            .unwrap_err()
            .to_string()
            .starts_with("--input"));
        let bad_out = CubeBake::new("arri-logc4-awg4", WorkingSpace::Camera, "nope", 2);
        assert!(bad_out
            .bake()
            .unwrap_err()
            .to_string()
            .starts_with("--output"));
        let bad_size = CubeBake::new(
            "arri-logc4-awg4",
            WorkingSpace::Camera,
            "aces2-sdr-rec709",
            1,
        );
        assert!(bad_size
            .bake()
            .unwrap_err()
            .to_string()
            .starts_with("--size"));
    }
}

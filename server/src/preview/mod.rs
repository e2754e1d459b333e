//! Graded previews and scopes of each camera's current frame, rendered through the very
//! look the devices get (one bake per look, shared through [`crate::looks`]) with the SIMD
//! kernels.
//!
//! The frame source is the built-in chart in the camera's own log encoding ([`source`]),
//! resampled once per input space and width. [`Previews::graded`] grades it for one output
//! (display code values, full range); [`Previews::jpeg`] encodes and caches the JPEG per
//! (camera, output, width) while the grade it depends on is unchanged; [`scopes`] computes
//! waveform, parade, vectorscope and histogram from a graded frame ([`Previews::scopes`]
//! grades and counts the HD frame band by band, and keeps the result while unchanged).

pub mod checks;
pub mod command;
pub mod encode;
pub mod feed;
pub mod header;
pub mod pause;
pub mod picture;
pub mod routes;
pub mod scopes;
pub mod source;
pub mod still;
pub mod stream;
#[cfg(test)]
mod tests;
pub mod views;

use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex};

use lookwire_color::chart::{ChartError, Frame};
use lookwire_color::kernel::{self, Coding, ImageDesc, Kernel, KernelError, Layout};
use lookwire_color::output::{Encoding, OutputTransform};

use crate::devices::bake::BakeError;
use crate::looks::{self, Looks};
use crate::show::{Bypass, Show, SignalRange};
use crate::sync::lock;
pub use encode::Jpeg;
pub use picture::Picture;

/// Preview width when the request names none.
pub const DEFAULT_WIDTH: usize = 960;
/// Preview widths accepted.
pub const WIDTHS: RangeInclusive<usize> = 64..=3840;
/// Width the scopes are computed at (HD).
pub const SCOPE_WIDTH: usize = 1920;
/// Cached JPEGs kept before the cache starts over.
const JPEG_CACHE: usize = 512;

/// Why a preview could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("unknown camera {0:?}")]
    Camera(String),
    #[error("camera {camera:?} has no output {output:?}; its outputs: {known}")]
    Output {
        camera: String,
        output: String,
        known: String,
    },
    #[error("camera {0:?} has no SDR output to render a picture through")]
    NoSdr(String),
    #[error("width {0}: expected {min}..={max} pixels", min = WIDTHS.start(), max = WIDTHS.end())]
    Width(usize),
    #[error(transparent)]
    Bake(#[from] BakeError),
    #[error("chart: {0}")]
    Chart(#[from] ChartError),
    #[error("kernel: {0}")]
    Kernel(#[from] KernelError),
    #[error("JPEG encoding: {0}")]
    Jpeg(String),
    #[error("{message}")]
    Param {
        param: &'static str,
        message: String,
    },
    #[error("unknown snapshot {0:?}")]
    Snapshot(String),
    #[error("still: {0}")]
    Still(String),
    #[error("still: cannot stage the upload: {0}")]
    Io(String),
    #[error("storing the check results: {0}")]
    Store(String),
}

/// Which output a request names and which one the picture is rendered through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub camera: String,
    /// The output asked for (or the default).
    pub requested: String,
    /// The output rendered: `requested`, or the camera's SDR output when that is HDR.
    pub rendered: String,
}

/// A graded frame: display code values of `output`, full range (legal signals expanded),
/// packed RGB f32.
#[derive(Clone, Debug)]
pub struct Graded {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<f32>,
    pub output: String,
}

/// A cached JPEG: camera, rendered output, width and the picture asked for.
type JpegId = (String, String, usize, String);

/// A kernel prepared for one baked look (held with the look it was prepared from).
type Prepared = (Arc<lookwire_protocol::Look>, Arc<Kernel>);

/// The preview service: chart sources, the shared looks, kernels and the JPEG cache.
#[derive(Debug)]
pub struct Previews {
    looks: &'static Looks,
    pub sources: Arc<source::Sources>,
    kernels: Mutex<HashMap<(String, String), Prepared>>,
    gamut_kernels: Mutex<HashMap<(String, String), Arc<Kernel>>>,
    jpegs: Mutex<HashMap<JpegId, (String, Arc<Jpeg>)>>,
    /// One lock per picture being rendered: a second request for the same picture waits
    /// for the first one's JPEG instead of rendering it again.
    rendering: Mutex<HashMap<JpegId, Arc<Mutex<()>>>>,
    /// HD scopes per (camera, output), with the picture key they were computed at.
    scopes: Mutex<HashMap<(String, String), (String, scopes::Scopes)>>,
    /// The latest camera check results per camera.
    pub checks: Mutex<HashMap<String, routes::CameraChecks>>,
    /// The open preview streams ([`stream::MAX_STREAMS`] at most).
    pub streams: stream::StreamSlots,
}

impl Default for Previews {
    fn default() -> Self {
        let sources = Arc::new(source::Sources::default());
        Self {
            looks: looks::shared(),
            sources,
            kernels: Mutex::default(),
            gamut_kernels: Mutex::default(),
            jpegs: Mutex::default(),
            rendering: Mutex::default(),
            scopes: Mutex::default(),
            checks: Mutex::default(),
            streams: stream::StreamSlots::default(),
        }
    }
}

/// The display encoding of an output, when it is a known display transform.
pub fn encoding(show: &Show, output: &str) -> Option<Encoding> {
    let id = show.outputs.get(output)?.display.as_deref()?;
    Some(OutputTransform::from_id(id)?.info().encoding)
}

fn is_hdr(show: &Show, output: &str) -> bool {
    matches!(
        encoding(show, output),
        Some(Encoding::Pq | Encoding::Hlg1000)
    )
}

/// SDR display transforms, and show LUT outputs (a show LUT's encoding is not known; on
/// set it is nearly always an SDR monitor's).
fn is_sdr(show: &Show, output: &str) -> bool {
    let show_lut = show.outputs.get(output).is_some_and(|o| o.lut.is_some());
    show_lut
        || matches!(
            encoding(show, output),
            Some(Encoding::Bt1886 | Encoding::Gamma26)
        )
}

/// Resolves `output` (default: the camera's first SDR output) for a picture: HDR outputs
/// render through the camera's first SDR output. With `keep_hdr` (scopes) they do not.
pub fn target(
    show: &Show,
    camera: &str,
    output: Option<&str>,
    keep_hdr: bool,
) -> Result<Target, PreviewError> {
    let cam = show
        .cameras
        .get(camera)
        .ok_or_else(|| PreviewError::Camera(camera.into()))?;
    let first_sdr = || {
        cam.outputs
            .iter()
            .find(|o| is_sdr(show, o))
            .cloned()
            .ok_or_else(|| PreviewError::NoSdr(camera.into()))
    };
    let requested = match output {
        Some(o) if cam.outputs.iter().any(|c| c == o) => o.to_owned(),
        Some(o) => {
            return Err(PreviewError::Output {
                camera: camera.into(),
                output: o.into(),
                known: cam.outputs.join(", "),
            })
        }
        None => first_sdr()?,
    };
    let rendered = if !keep_hdr && is_hdr(show, &requested) {
        first_sdr()?
    } else {
        requested.clone()
    };
    Ok(Target {
        camera: camera.into(),
        requested,
        rendered,
    })
}

impl Previews {
    pub fn new() -> Self {
        Self::default()
    }

    /// The server's one preview service: it also plays the feeds configured at start
    /// (`serve --feed`). Any other `Previews` starts none, so a configured command (a
    /// capture card's reader) never runs twice.
    pub fn with_configured_feeds() -> Self {
        let previews = Self::default();
        feed::start_configured(&previews.sources);
        previews
    }

    /// The camera's chart graded through `target.rendered` at `width`.
    pub fn graded(
        &self,
        show: &Show,
        target: &Target,
        width: usize,
    ) -> Result<Graded, PreviewError> {
        if !WIDTHS.contains(&width) {
            return Err(PreviewError::Width(width));
        }
        let (src, kernel, legal) = self.grading(show, target, width)?;
        let desc = ImageDesc::new(src.width, src.height, Layout::Rgb, Coding::Float);
        let mut rgb = vec![0.0f32; src.data.len()];
        kernel.par_render(&desc, &src.data, &mut rgb)?;
        if legal {
            legal_to_full(&mut rgb);
        }
        Ok(Graded {
            width: src.width,
            height: src.height,
            rgb,
            output: target.rendered.clone(),
        })
    }

    /// What grading the camera's picture at `width` through `target.rendered` takes: the
    /// source frame, the look's kernel, and whether the output is legal range.
    fn grading(
        &self,
        show: &Show,
        target: &Target,
        width: usize,
    ) -> Result<(Arc<Frame>, Arc<Kernel>, bool), PreviewError> {
        let cam = show
            .cameras
            .get(&target.camera)
            .ok_or_else(|| PreviewError::Camera(target.camera.clone()))?;
        let src = self
            .sources
            .camera_frame(&target.camera, &cam.input_space, width)?;
        let kernel = self.kernel(show, &target.camera, &target.rendered)?;
        let legal = show
            .outputs
            .get(&target.rendered)
            .is_some_and(|o| o.range == SignalRange::Legal);
        Ok((src, kernel, legal))
    }

    /// The kernel of the camera's look through `output`, prepared once per baked look.
    fn kernel(&self, show: &Show, camera: &str, output: &str) -> Result<Arc<Kernel>, PreviewError> {
        let look = self.looks.look(show, camera, output, Bypass::None)?;
        let id = (camera.to_owned(), output.to_owned());
        if let Some((l, k)) = lock(&self.kernels).get(&id) {
            if Arc::ptr_eq(l, &look) {
                return Ok(Arc::clone(k));
            }
        }
        let kernel = Arc::new(Kernel::new(&kernel::Look::lut((*look.lut).clone())));
        lock(&self.kernels).insert(id, (look, Arc::clone(&kernel)));
        Ok(kernel)
    }

    /// The JPEG of the camera's graded picture, from the cache while its grade is unchanged.
    pub fn jpeg(
        &self,
        show: &Show,
        target: &Target,
        width: usize,
    ) -> Result<Arc<Jpeg>, PreviewError> {
        self.picture_jpeg(show, target, width, &Picture::default())
    }

    /// The JPEG of the picture `pic` asks for, from the cache while everything it shows
    /// is unchanged.
    pub fn picture_jpeg(
        &self,
        show: &Show,
        target: &Target,
        width: usize,
        pic: &Picture,
    ) -> Result<Arc<Jpeg>, PreviewError> {
        let id = (
            target.camera.clone(),
            target.rendered.clone(),
            width,
            format!("{pic:?}"),
        );
        let key = self.picture_key(show, target, pic);
        let cached = || {
            let cache = lock(&self.jpegs);
            let (k, jpeg) = cache.get(&id)?;
            (*k == key).then(|| Arc::clone(jpeg))
        };
        if let Some(jpeg) = cached() {
            return Ok(jpeg);
        }
        let turn = Arc::clone(lock(&self.rendering).entry(id.clone()).or_default());
        let _turn = lock(&turn);
        if let Some(jpeg) = cached() {
            return Ok(jpeg);
        }
        self.sources.pause.at("render");
        let graded = self.picture(show, target, width, pic)?;
        let jpeg = Arc::new(encode::jpeg(&graded)?);
        let mut cache = lock(&self.jpegs);
        if cache.len() >= JPEG_CACHE {
            cache.clear();
            lock(&self.rendering).retain(|_, t| Arc::strong_count(t) > 1);
        }
        cache.insert(id, (key, Arc::clone(&jpeg)));
        Ok(jpeg)
    }
}

/// Legal (64..940 of 1023) display code values to full range.
fn legal_to_full(rgb: &mut [f32]) {
    const LO: f32 = 64.0 / 1023.0;
    const SPAN: f32 = 876.0 / 1023.0;
    rgb.iter_mut().for_each(|v| *v = (*v - LO) / SPAN);
}

//! OpenEXR, the first layer's R, G, B (and A) channels, half or float.

use super::{cannot_hold, malformed, unsupported, Image, ImageError, ImageFormat, Samples};
use exr::prelude::{AnyChannel, AnyChannels, FlatSamples, ReadChannels, ReadLayers, WritableImage};
use half::f16;
use std::path::Path;

const FORMAT: ImageFormat = ImageFormat::Exr;

pub fn read(path: &Path) -> Result<Image, ImageError> {
    let image = exr::prelude::read()
        .no_deep_data()
        .largest_resolution_level()
        .all_channels()
        .first_valid_layer()
        .all_attributes()
        .from_file(path)
        .map_err(|e| exr_error(path, e))?;
    let layer = image.layer_data;
    let size = layer.size;
    let find = |name: &str| {
        layer
            .channel_data
            .list
            .iter()
            .find(|c| c.name.eq_case_insensitive(name))
    };
    let (Some(r), Some(g), Some(b)) = (find("R"), find("G"), find("B")) else {
        let names: Vec<String> = layer
            .channel_data
            .list
            .iter()
            .map(|c| c.name.to_string())
            .collect();
        return Err(unsupported(
            path,
            FORMAT,
            format!("channels {names:?} (R, G and B are needed)"),
        ));
    };
    let mut planes = vec![&r.sample_data, &g.sample_data, &b.sample_data];
    if let Some(a) = find("A") {
        planes.push(&a.sample_data);
    }
    let channels = planes.len();
    let samples = if planes.iter().all(|p| matches!(p, FlatSamples::F16(_))) {
        let planes: Vec<&Vec<f16>> = planes
            .iter()
            .filter_map(|p| match p {
                FlatSamples::F16(v) => Some(v),
                _ => None,
            })
            .collect();
        Samples::F16(interleave(&planes))
    } else {
        // Mixed or 32-bit channels: float holds every EXR sample type.
        let planes: Vec<Vec<f32>> = planes.iter().map(|p| p.values_as_f32().collect()).collect();
        let planes: Vec<&Vec<f32>> = planes.iter().collect();
        Samples::F32(interleave(&planes))
    };
    Ok(Image {
        width: size.width(),
        height: size.height(),
        channels,
        bits: 0,
        samples,
    })
}

fn interleave<T: Copy>(planes: &[&Vec<T>]) -> Vec<T> {
    let n = planes[0].len();
    let mut out = Vec::with_capacity(n * planes.len());
    for i in 0..n {
        out.extend(planes.iter().map(|p| p[i]));
    }
    out
}

fn exr_error(path: &Path, e: exr::error::Error) -> ImageError {
    match e {
        exr::error::Error::NotSupported(what) => unsupported(path, FORMAT, what.to_string()),
        exr::error::Error::Io(cause) => ImageError::Io {
            path: path.to_owned(),
            cause,
        },
        other => malformed(path, FORMAT, other.to_string()),
    }
}

pub fn write(path: &Path, image: &Image) -> Result<(), ImageError> {
    let names = ["R", "G", "B", "A"];
    let n = image.channels;
    if !(3..=4).contains(&n) {
        return Err(cannot_hold(
            path,
            FORMAT,
            image,
            "EXR output is RGB or RGBA",
        ));
    }
    let channels: Vec<AnyChannel<FlatSamples>> = match &image.samples {
        Samples::F16(v) => (0..n)
            .map(|c| {
                AnyChannel::new(
                    names[c],
                    FlatSamples::F16(v.iter().skip(c).step_by(n).copied().collect()),
                )
            })
            .collect(),
        Samples::F32(v) => (0..n)
            .map(|c| {
                AnyChannel::new(
                    names[c],
                    FlatSamples::F32(v.iter().skip(c).step_by(n).copied().collect()),
                )
            })
            .collect(),
        _ => {
            return Err(cannot_hold(
                path,
                FORMAT,
                image,
                "EXR holds half and float: write .tif, .png or .dpx",
            ))
        }
    };
    let size = (image.width, image.height);
    let out = exr::image::Image::from_channels(size, AnyChannels::sort(channels.into()));
    out.write().to_file(path).map_err(|e| exr_error(path, e))
}

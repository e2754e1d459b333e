//! Rules a show must keep after every change: valid ids, CDLs within the ASC rules,
//! references to cameras, looks, outputs and files that exist.

use lookwire_color::Cdl;

use super::model::{
    is_valid_id, Camera, Grade, GradeNode, Output, Scene, Show, ShowLook, Snapshot,
    MAX_FADE_FRAMES, MAX_NODES,
};
use super::recording::check_recorders;

/// A rule a changed item breaks, with the JSON pointer of the fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ValidationError {
    pub path: String,
    pub message: String,
}

type Check = Result<(), ValidationError>;

fn fail(path: String, message: impl Into<String>) -> Check {
    Err(ValidationError {
        path,
        message: message.into(),
    })
}

/// True when the engine's registry knows the input space `id`.
pub fn is_input_space(id: &str) -> bool {
    lookwire_color::spaces::lookup(id).is_ok()
}

/// True when the engine knows the display transform `id`.
pub fn is_output_transform(id: &str) -> bool {
    lookwire_color::output::list().iter().any(|o| o.id == id)
}

fn input_space_ids() -> String {
    lookwire_color::spaces::ids().join(", ")
}

fn output_ids() -> String {
    let ids: Vec<&str> = lookwire_color::output::list()
        .iter()
        .map(|o| o.id)
        .collect();
    ids.join(", ")
}

fn check_id(path: String, id: &str) -> Check {
    if is_valid_id(id) {
        Ok(())
    } else {
        fail(
            path,
            format!(
                "{id:?} is not a valid id: 1–64 of a-z 0-9 - _ . starting with a letter or digit"
            ),
        )
    }
}

fn check_key(path: &str, key: &str, id: &str) -> Check {
    check_id(format!("{path}/id"), id)?;
    if key != id {
        return fail(
            format!("{path}/id"),
            format!("id {id:?} differs from its key {key:?}"),
        );
    }
    Ok(())
}

fn check_name(path: String, name: &str) -> Check {
    if name.trim().is_empty() || name.chars().count() > 200 {
        return fail(path, "must hold 1 to 200 characters, not only spaces");
    }
    Ok(())
}

/// Checks a CDL against the ASC rules, naming the field in pointer form.
pub fn check_cdl(path: &str, cdl: &Cdl) -> Check {
    cdl.validate().map_err(|e| {
        let field = match &e {
            lookwire_color::CdlError::NotFinite { field, .. }
            | lookwire_color::CdlError::OutOfRange { field, .. } => field.to_string(),
            lookwire_color::CdlError::UnknownStyle(_) => String::new(),
        };
        let pointer = field
            .replace(".r", "/0")
            .replace(".g", "/1")
            .replace(".b", "/2");
        ValidationError {
            path: format!("{path}/{pointer}"),
            message: e.to_string(),
        }
    })
}

/// Checks a grade's node list: at most [`MAX_NODES`], ids unique and free of dots (a
/// WebSocket field names a node as `nodes.ID.…`), each node's CDL or curves valid.
fn check_nodes(base: &str, nodes: &[GradeNode]) -> Check {
    if nodes.len() > MAX_NODES {
        return fail(
            base.to_owned(),
            format!("{} nodes: at most {MAX_NODES}", nodes.len()),
        );
    }
    for (i, node) in nodes.iter().enumerate() {
        let at = format!("{base}/{i}");
        let id = node.id();
        check_id(format!("{at}/id"), id)?;
        if id.contains('.') {
            return fail(
                format!("{at}/id"),
                format!("node id {id:?} may not hold a dot"),
            );
        }
        if nodes[..i].iter().any(|n| n.id() == id) {
            return fail(format!("{at}/id"), format!("node id {id:?} is used twice"));
        }
        match node {
            GradeNode::Cdl { cdl, .. } => check_cdl(&format!("{at}/cdl"), cdl)?,
            GradeNode::Curves { curves, .. } => curves.validate().map_err(|e| ValidationError {
                path: format!("{at}/curves/{}", e.path),
                message: e.message,
            })?,
        }
    }
    Ok(())
}

impl Show {
    /// Checks the item at the top of `path` (e.g. `/cameras/a/...` checks camera `a`) and,
    /// when it is gone, that nothing still refers to it.
    pub fn validate_at(&self, path: &str) -> Check {
        let mut parts = path.trim_start_matches('/').split('/');
        let (collection, key) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let base = format!("/{collection}/{key}");
        match collection {
            "cameras" => match self.cameras.get(key) {
                Some(c) => self.check_camera(&base, key, c),
                None => self.check_camera_unused(&base, key),
            },
            "looks" => match self.looks.get(key) {
                Some(l) => self.check_look(&base, key, l),
                None => self.check_look_unused(&base, key),
            },
            "outputs" => match self.outputs.get(key) {
                Some(o) => self.check_output(&base, key, o),
                None => self.check_output_unused(&base, key),
            },
            "groups" => match self.groups.get(key) {
                Some(g) => {
                    check_key(&base, key, &g.id)?;
                    check_name(format!("{base}/name"), &g.name)?;
                    self.check_camera_list(&format!("{base}/cameras"), &g.cameras)
                }
                None => Ok(()),
            },
            "snapshots" => match self.snapshots.get(key) {
                Some(s) => self.check_snapshot(&base, key, s),
                None => Ok(()),
            },
            "scenes" => match self.scenes.get(key) {
                Some(s) => self.check_scene(&base, key, s),
                None => Ok(()),
            },
            "files" => match self.files.get(key) {
                Some(f) => check_key(&base, key, &f.id),
                None => self.check_file_unused(&base, key),
            },
            "device_bypass" => check_id(base, key),
            "name" => check_name("/name".into(), &self.name),
            "timecode_source" => match &self.timecode_source {
                Some(tc) => tc.check("/timecode_source"),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    fn check_camera(&self, base: &str, key: &str, c: &Camera) -> Check {
        check_key(base, key, &c.id)?;
        check_name(format!("{base}/label"), &c.label)?;
        if !is_input_space(&c.input_space) {
            return fail(
                format!("{base}/input_space"),
                format!(
                    "unknown input space {:?}: expected one of {}",
                    c.input_space,
                    input_space_ids()
                ),
            );
        }
        self.check_grade(&format!("{base}/grade"), &c.grade)?;
        for (i, output) in c.outputs.iter().enumerate() {
            if !self.outputs.contains_key(output) {
                return fail(
                    format!("{base}/outputs/{i}"),
                    format!("no output {output:?}"),
                );
            }
            if c.outputs[..i].contains(output) {
                return fail(
                    format!("{base}/outputs/{i}"),
                    format!("output {output:?} listed twice"),
                );
            }
        }
        for (i, device) in c.devices.iter().enumerate() {
            check_id(format!("{base}/devices/{i}"), device)?;
        }
        check_recorders(&format!("{base}/recorders"), &c.recorders)?;
        match &c.timecode_source {
            Some(tc) => tc.check(&format!("{base}/timecode_source")),
            None => Ok(()),
        }
    }

    pub(crate) fn check_grade(&self, base: &str, grade: &Grade) -> Check {
        check_cdl(&format!("{base}/match"), &grade.match_cdl)?;
        check_cdl(&format!("{base}/trim"), &grade.trim)?;
        check_nodes(&format!("{base}/nodes"), &grade.nodes)?;
        match &grade.look {
            Some(look) if !self.looks.contains_key(look) => {
                fail(format!("{base}/look"), format!("no show look {look:?}"))
            }
            _ => Ok(()),
        }
    }

    fn check_look(&self, base: &str, key: &str, look: &ShowLook) -> Check {
        check_key(base, key, &look.id)?;
        check_name(format!("{base}/name"), &look.name)?;
        if let Some(cdl) = &look.cdl {
            check_cdl(&format!("{base}/cdl"), cdl)?;
        }
        self.check_file_ref(&format!("{base}/lut"), look.lut.as_deref())
    }

    fn check_output(&self, base: &str, key: &str, o: &Output) -> Check {
        check_key(base, key, &o.id)?;
        check_name(format!("{base}/name"), &o.name)?;
        match (&o.display, &o.lut) {
            (Some(display), None) if !is_output_transform(display) => fail(
                format!("{base}/display"),
                format!(
                    "unknown output transform {display:?}: expected one of {}",
                    output_ids()
                ),
            ),
            (Some(_), None) => Ok(()),
            (None, Some(lut)) => self.check_file_ref(&format!("{base}/lut"), Some(lut)),
            _ => fail(base.to_owned(), "set exactly one of display and lut"),
        }
    }

    fn check_snapshot(&self, base: &str, key: &str, s: &Snapshot) -> Check {
        check_key(base, key, &s.id)?;
        check_name(format!("{base}/name"), &s.name)?;
        if !self.cameras.contains_key(&s.camera) {
            return fail(
                format!("{base}/camera"),
                format!("no camera {:?}", s.camera),
            );
        }
        self.check_grade(&format!("{base}/grade"), &s.grade)
    }

    fn check_scene(&self, base: &str, key: &str, s: &Scene) -> Check {
        check_key(base, key, &s.id)?;
        check_name(format!("{base}/name"), &s.name)?;
        if s.fade_frames > MAX_FADE_FRAMES {
            return fail(
                format!("{base}/fade_frames"),
                format!(
                    "fade_frames is {}: it must be at most {MAX_FADE_FRAMES}",
                    s.fade_frames
                ),
            );
        }
        for (camera, grade) in &s.grades {
            if !self.cameras.contains_key(camera) {
                return fail(
                    format!("{base}/grades/{camera}"),
                    format!("no camera {camera:?}"),
                );
            }
            self.check_grade(&format!("{base}/grades/{camera}"), grade)?;
        }
        Ok(())
    }

    fn check_file_ref(&self, path: &str, file: Option<&str>) -> Check {
        match file {
            Some(f) => match self.files.get(f) {
                None => fail(path.to_owned(), format!("no file {f:?} in the show")),
                Some(r) if !super::look_luts::is_lut_name(&r.name) => fail(
                    path.to_owned(),
                    format!("file {f:?} ({:?}) is not a LUT file", r.name),
                ),
                Some(_) => Ok(()),
            },
            None => Ok(()),
        }
    }

    pub(crate) fn check_camera_list(&self, path: &str, cameras: &[String]) -> Check {
        for (i, camera) in cameras.iter().enumerate() {
            if !self.cameras.contains_key(camera) {
                return fail(format!("{path}/{i}"), format!("no camera {camera:?}"));
            }
            if cameras[..i].contains(camera) {
                return fail(
                    format!("{path}/{i}"),
                    format!("camera {camera:?} listed twice"),
                );
            }
        }
        Ok(())
    }

    fn check_camera_unused(&self, base: &str, key: &str) -> Check {
        let in_group = self
            .groups
            .values()
            .find(|g| g.cameras.iter().any(|c| c == key));
        let in_snapshot = self.snapshots.values().find(|s| s.camera == key);
        let in_scene = self.scenes.values().find(|s| s.grades.contains_key(key));
        let user = in_group
            .map(|g| format!("group {:?}", g.id))
            .or(in_snapshot.map(|s| format!("snapshot {:?}", s.id)))
            .or(in_scene.map(|s| format!("scene {:?}", s.id)));
        match user {
            Some(user) => fail(
                base.to_owned(),
                format!("camera {key:?} is still used by {user}"),
            ),
            None => Ok(()),
        }
    }

    fn check_look_unused(&self, base: &str, key: &str) -> Check {
        let uses = |g: &Grade| g.look.as_deref() == Some(key);
        let user = self
            .cameras
            .values()
            .find(|c| uses(&c.grade))
            .map(|c| format!("camera {:?}", c.id))
            .or(self
                .snapshots
                .values()
                .find(|s| uses(&s.grade))
                .map(|s| format!("snapshot {:?}", s.id)))
            .or(self
                .scenes
                .values()
                .find(|s| s.grades.values().any(uses))
                .map(|s| format!("scene {:?}", s.id)));
        match user {
            Some(user) => fail(
                base.to_owned(),
                format!("look {key:?} is still used by {user}"),
            ),
            None => Ok(()),
        }
    }

    fn check_output_unused(&self, base: &str, key: &str) -> Check {
        match self
            .cameras
            .values()
            .find(|c| c.outputs.iter().any(|o| o == key))
        {
            Some(c) => fail(
                base.to_owned(),
                format!("output {key:?} is still fed by camera {:?}", c.id),
            ),
            None => Ok(()),
        }
    }

    fn check_file_unused(&self, base: &str, key: &str) -> Check {
        let is = |f: &Option<String>| f.as_deref() == Some(key);
        let user = self
            .looks
            .values()
            .find(|l| is(&l.lut))
            .map(|l| format!("look {:?}", l.id))
            .or(self
                .outputs
                .values()
                .find(|o| is(&o.lut))
                .map(|o| format!("output {:?}", o.id)));
        match user {
            Some(user) => fail(
                base.to_owned(),
                format!("file {key:?} is still used by {user}"),
            ),
            None => Ok(()),
        }
    }

    /// Checks every item (after an import or a rebuild).
    pub fn validate_all(&self) -> Check {
        check_name("/name".into(), &self.name)?;
        self.validate_at("/timecode_source")?;
        let paths = self
            .files
            .keys()
            .map(|k| format!("/files/{k}"))
            .chain(self.looks.keys().map(|k| format!("/looks/{k}")))
            .chain(self.outputs.keys().map(|k| format!("/outputs/{k}")))
            .chain(self.cameras.keys().map(|k| format!("/cameras/{k}")))
            .chain(self.groups.keys().map(|k| format!("/groups/{k}")))
            .chain(self.snapshots.keys().map(|k| format!("/snapshots/{k}")))
            .chain(self.scenes.keys().map(|k| format!("/scenes/{k}")))
            .chain(
                self.device_bypass
                    .keys()
                    .map(|k| format!("/device_bypass/{k}")),
            );
        for path in paths {
            self.validate_at(&path)?;
        }
        Ok(())
    }
}

//! The tables of show-look LUT files. A file's bytes live in the store; its id is its XXH3
//! (`f` + 16 hex digits), so a table read once stays right for as long as the process runs.
//! Tables are read when a file is uploaded and, for every file of a stored show, when the
//! show starts; [`super::look::look_for`] finds them here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use lookwire_color::formats::{FormatError, LutFile, LutFormat};
use lookwire_color::pipeline::Op;

use crate::store::StoredFile;
use crate::sync::lock;

/// Why a stored file gives no look table.
#[derive(Debug, thiserror::Error)]
pub enum LookLutError {
    #[error("file {id:?} ({name:?}) is not a LUT file this build reads")]
    NotALut { id: String, name: String },
    #[error("file {id:?} does not match its XXH3 checksum")]
    Checksum { id: String },
    #[error(transparent)]
    Format(#[from] FormatError),
}

/// A look LUT file's tables, and the engine's ops for them (1D, then 3D).
#[derive(Debug)]
pub struct LookTable {
    /// The file id (its content's checksum).
    pub id: String,
    pub file: LutFile,
    pub ops: Vec<Op>,
}

impl PartialEq for LookTable {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl LookTable {
    fn new(id: &str, file: LutFile) -> LookTable {
        let mut ops = Vec::new();
        if let Some(l) = &file.lut1d {
            ops.push(Op::Lut1d(Arc::new(l.clone())));
        }
        if let Some(l) = &file.lut3d {
            ops.push(Op::Lut3d {
                lut: Arc::new(l.clone()),
                interpolation: file.interpolation,
            });
        }
        LookTable {
            id: id.to_owned(),
            file,
            ops,
        }
    }

    /// The tables applied to one pixel, in f64 over the f32 tables.
    pub fn apply(&self, rgb: [f64; 3]) -> [f64; 3] {
        self.file.apply_f64(rgb)
    }
}

fn tables() -> &'static Mutex<HashMap<String, Arc<LookTable>>> {
    static TABLES: OnceLock<Mutex<HashMap<String, Arc<LookTable>>>> = OnceLock::new();
    TABLES.get_or_init(Mutex::default)
}

/// The LUT format a file name's extension names, if any.
fn format_of(name: &str) -> Option<LutFormat> {
    let ext = name.rsplit_once('.')?.1;
    LutFormat::from_name(ext)
}

/// True when the file's name says it is a LUT (not a CDL or another file).
pub fn is_lut_name(name: &str) -> bool {
    format_of(name).is_some()
}

/// Reads `file`'s table (checking its checksum) and keeps it under the file's id.
pub fn load(file: &StoredFile) -> Result<Arc<LookTable>, LookLutError> {
    if let Some(table) = get(&file.id) {
        return Ok(table);
    }
    let format = format_of(&file.name).ok_or_else(|| LookLutError::NotALut {
        id: file.id.clone(),
        name: file.name.clone(),
    })?;
    if format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&file.bytes)) != file.xxh3 {
        return Err(LookLutError::Checksum {
            id: file.id.clone(),
        });
    }
    let table = Arc::new(LookTable::new(
        &file.id,
        format.read(&file.bytes, &file.name)?,
    ));
    lock(tables()).insert(file.id.clone(), Arc::clone(&table));
    Ok(table)
}

/// The table of LUT file `id`, when it has been read.
pub fn get(id: &str) -> Option<Arc<LookTable>> {
    lock(tables()).get(id).cloned()
}

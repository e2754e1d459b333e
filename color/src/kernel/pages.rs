//! Frame buffers in transparent huge pages.
//!
//! A 4K f32 RGB frame spans 24 300 pages of 4 KiB. The kernels read the source and write
//! the destination sequentially, but the hardware prefetchers stop at every page boundary
//! and every page needs its own translation: on the CPUs measured (bench/README.md) a 4K
//! frame in 2 MiB pages renders 12-19 % faster than the same frame in 4 KiB pages. Linux
//! hands out 2 MiB pages to anonymous memory that asks for them (`MADV_HUGEPAGE`) when
//! transparent huge pages are in `madvise` mode, the default of most distributions.
//!
//! The policy is numpy's (`numpy/_core/src/multiarray/alloc.c`, on by default on Linux):
//! every buffer of 4 MiB or more is advised right after it is allocated, before it is
//! touched, from its first 4 KiB boundary to its end. Elsewhere, or when the kernel says
//! no, the buffer is an ordinary one: the advice only ever changes speed.

/// Buffers smaller than this are left alone (numpy's threshold).
pub const HUGE_MIN_BYTES: usize = 4 << 20;

/// The first `len` items of `items` in a vector whose memory, when it is 4 MiB or more,
/// was advised to use huge pages before it was touched.
pub fn collect<T>(len: usize, items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(len);
    advise(v.as_ptr().cast(), len * size_of::<T>());
    v.extend(items.into_iter().take(len));
    v
}

#[cfg(target_os = "linux")]
fn advise(start: *const u8, bytes: usize) {
    if bytes < HUGE_MIN_BYTES {
        return;
    }
    let page = 4096;
    let offset = (page - start as usize % page) % page;
    // SAFETY: [start + offset, start + bytes) lies inside one live allocation of at least
    // `bytes` bytes (the vector's capacity); MADV_HUGEPAGE changes how the kernel backs
    // those pages, never their contents or their validity. A failure (THP disabled, an
    // old kernel) leaves ordinary pages, so the result is ignored.
    unsafe {
        libc::madvise(
            start.add(offset) as *mut libc::c_void,
            bytes - offset,
            libc::MADV_HUGEPAGE,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_start: *const u8, _bytes: usize) {}

/// Element types for which all-zero bytes are a valid value (fresh anonymous memory).
///
/// # Safety
/// Implement it only for types whose every field is valid as all-zero bytes, with an
/// alignment of at most 2 MiB.
pub unsafe trait Zeroed: Copy + 'static {}
// SAFETY: 0.0f32 is all-zero bytes; f32's alignment is 4.
unsafe impl Zeroed for f32 {}

/// The size of a huge page on x86_64 Linux.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
const HUGE_PAGE: usize = 2 << 20;

/// The bytes of `len` elements of `T`, panicking (as `Vec` does) when they would not fit
/// in a mapping with its alignment slack.
#[cfg(target_os = "linux")]
fn bytes_of<T>(len: usize) -> usize {
    const { assert!(align_of::<T>() <= HUGE_PAGE) };
    len.checked_mul(size_of::<T>())
        .filter(|&b| b <= isize::MAX as usize - 2 * HUGE_PAGE)
        .expect("capacity overflow")
}

/// A fixed-length buffer that starts on a 2 MiB boundary of its own mapping, advised to
/// use huge pages (Linux; a boxed slice elsewhere). For lattices beyond L2, whose nodes
/// the tetrahedra read at random: a 65³ f32 lattice spans about 820 pages of 4 KiB but two of
/// 2 MiB (+3 % on tetra65-f32; a 33³ lattice, within L2, gains nothing measurable, so it
/// does not pay the rounding up to a whole 2 MiB page).
pub struct PageBuf<T> {
    #[cfg(target_os = "linux")]
    map: Mapping,
    #[cfg(target_os = "linux")]
    len: usize,
    #[cfg(target_os = "linux")]
    _owns: std::marker::PhantomData<T>,
    #[cfg(not(target_os = "linux"))]
    data: Box<[T]>,
}

#[cfg(target_os = "linux")]
struct Mapping {
    base: *mut libc::c_void,
    bytes: usize,
    start: *mut u8,
}

// SAFETY: a PageBuf owns its mapping alone, as a Box<[T]> owns its allocation.
unsafe impl<T: Send> Send for PageBuf<T> {}
// SAFETY: as above; `&PageBuf` gives `&[T]` only.
unsafe impl<T: Sync> Sync for PageBuf<T> {}

#[cfg(target_os = "linux")]
impl Mapping {
    /// A fresh anonymous mapping whose 2 MiB-aligned `start` has at least `bytes` bytes
    /// after it, all zero, advised to use huge pages. `bytes` comes from [`bytes_of`], so
    /// the rounding below cannot overflow.
    fn new(bytes: usize) -> Self {
        let used = bytes.max(1).next_multiple_of(HUGE_PAGE);
        let mapped = used + HUGE_PAGE;
        // SAFETY: an anonymous private mapping at an address of the kernel's choosing:
        // no existing memory is touched.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                mapped,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            std::alloc::handle_alloc_error(
                std::alloc::Layout::from_size_align(mapped, HUGE_PAGE).expect("a valid layout"),
            );
        }
        let offset = (HUGE_PAGE - base as usize % HUGE_PAGE) % HUGE_PAGE;
        // SAFETY: offset < HUGE_PAGE, so [start, start + used) lies inside the mapping;
        // the advice changes only how the kernel backs it (ignored when refused).
        let start = unsafe {
            let start = base.cast::<u8>().add(offset);
            libc::madvise(start.cast(), used, libc::MADV_HUGEPAGE);
            start
        };
        Self {
            base,
            bytes: mapped,
            start,
        }
    }
}

#[cfg(target_os = "linux")]
impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: `base` and `bytes` are the mapping made in `Mapping::new`, unmapped once.
        unsafe { libc::munmap(self.base, self.bytes) };
    }
}

impl<T: Copy> PageBuf<T> {
    /// A copy of `src`.
    #[cfg(target_os = "linux")]
    pub fn copied(src: &[T]) -> Self {
        let map = Mapping::new(bytes_of::<T>(src.len()));
        // SAFETY: the mapping has room for `src.len()` elements from its 2 MiB-aligned
        // (so T-aligned) start and is a fresh allocation, disjoint from `src`.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), map.start.cast::<T>(), src.len()) };
        Self {
            map,
            len: src.len(),
            _owns: std::marker::PhantomData,
        }
    }

    #[cfg(not(target_os = "linux"))]
    pub fn copied(src: &[T]) -> Self {
        Self { data: src.into() }
    }
}

impl<T: Zeroed> PageBuf<T> {
    /// `len` zero elements.
    #[cfg(target_os = "linux")]
    pub fn zeroed(len: usize) -> Self {
        Self {
            map: Mapping::new(bytes_of::<T>(len)),
            len,
            _owns: std::marker::PhantomData,
        }
    }

    #[cfg(not(target_os = "linux"))]
    pub fn zeroed(len: usize) -> Self {
        // SAFETY: all-zero bytes are a valid `T` (the `Zeroed` contract).
        let zero: T = unsafe { std::mem::zeroed() };
        Self {
            data: vec![zero; len].into_boxed_slice(),
        }
    }
}

impl<T> std::ops::Deref for PageBuf<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        #[cfg(target_os = "linux")]
        // SAFETY: every constructor leaves `len` initialised elements (copied, or zero
        // bytes, valid for `Zeroed` types) at the 2 MiB-aligned, so T-aligned, `start`.
        return unsafe { std::slice::from_raw_parts(self.map.start.cast::<T>(), self.len) };
        #[cfg(not(target_os = "linux"))]
        return &self.data;
    }
}

impl<T> std::ops::DerefMut for PageBuf<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        #[cfg(target_os = "linux")]
        // SAFETY: as in `deref`; `&mut self` makes the access unique.
        return unsafe { std::slice::from_raw_parts_mut(self.map.start.cast::<T>(), self.len) };
        #[cfg(not(target_os = "linux"))]
        return &mut self.data;
    }
}

impl<T: Copy> Clone for PageBuf<T> {
    fn clone(&self) -> Self {
        Self::copied(self)
    }
}

impl<T> std::fmt::Debug for PageBuf<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PageBuf({} elements)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advised_vectors_hold_what_they_were_given() {
        let big = HUGE_MIN_BYTES / 4 + 3;
        let v = collect(big, std::iter::repeat(1.5f32));
        assert_eq!(v.len(), big);
        assert!(v.iter().all(|&x| x == 1.5));
        let src: Vec<u16> = (0..big as u32).map(|i| (i * 7) as u16).collect();
        assert_eq!(collect(src.len(), src.iter().copied()), src);
        assert_eq!(collect(3, [1u8, 2, 3]), [1, 2, 3]);
        assert_eq!(collect(2, [1u8, 2, 3]), [1, 2]);
    }

    #[test]
    #[should_panic(expected = "capacity overflow")]
    fn a_page_buffer_too_large_to_map_is_refused_not_wrapped() {
        let _ = PageBuf::<f32>::zeroed(1 << 62);
    }

    #[test]
    fn page_buffers_start_on_a_huge_page_and_hold_their_elements() {
        for len in [0, 1, 3 * 65 * 66 * 65, (HUGE_PAGE / 4) + 1] {
            let mut buf = PageBuf::<f32>::zeroed(len);
            assert_eq!(buf.len(), len);
            assert!(buf.iter().all(|&x| x == 0.0));
            #[cfg(target_os = "linux")]
            assert_eq!(buf.as_ptr() as usize % HUGE_PAGE, 0, "{len} elements");
            for (i, x) in buf.iter_mut().enumerate() {
                *x = i as f32;
            }
            let copy = buf.clone();
            assert_eq!(copy.len(), len);
            assert!(copy.iter().enumerate().all(|(i, &x)| x == i as f32));
            drop(buf);
            assert_eq!(copy.last().copied(), len.checked_sub(1).map(|i| i as f32));
        }
    }
}

//! An append-only list stored in fixed-size segments.
//!
//! The engine's projections (cases, sanctions, deadlines, notices) only
//! grow. In one `Vec` each doubling copies everything stored so far, which
//! at millions of records costs more than the work the event itself does
//! (and briefly needs twice the memory). Segments never move once written:
//! a push touches only the last segment, and an index is two loads.

use serde::{Serialize, Serializer};

/// Records per segment (a power of two, so indexing is a shift and a mask).
const SHIFT: u32 = 13;
const LEN: usize = 1 << SHIFT;
const MASK: usize = LEN - 1;

/// An append-only list whose elements never move.
#[derive(Debug, Clone)]
pub struct Seg<T> {
    segments: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Seg<T> {
    fn default() -> Self {
        Seg {
            segments: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Seg<T> {
    /// Appends a value; returns its index.
    pub fn push(&mut self, value: T) -> usize {
        if self.len & MASK == 0 {
            self.segments.push(Vec::with_capacity(LEN));
        }
        let i = self.len;
        if let Some(last) = self.segments.last_mut() {
            last.push(value);
        }
        self.len += 1;
        i
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The element at `i`.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.segments.get(i >> SHIFT)?.get(i & MASK)
    }

    /// The element at `i`, mutably.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.segments.get_mut(i >> SHIFT)?.get_mut(i & MASK)
    }

    /// Every element, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.segments.iter().flatten()
    }

    /// The elements from index `start` on, in order.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &T> + '_ {
        let first = start >> SHIFT;
        self.segments
            .iter()
            .skip(first)
            .enumerate()
            .flat_map(move |(k, s)| {
                let skip = if k == 0 { start & MASK } else { 0 };
                s.iter().skip(skip)
            })
    }

    /// The last element.
    pub fn last(&self) -> Option<&T> {
        self.segments.last()?.last()
    }
}

impl<T> std::ops::Index<usize> for Seg<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.segments[i >> SHIFT][i & MASK]
    }
}

impl<T> std::ops::IndexMut<usize> for Seg<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.segments[i >> SHIFT][i & MASK]
    }
}

impl<T: Serialize> Serialize for Seg<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_across_segments() {
        let mut s = Seg::default();
        for i in 0..(3 * LEN + 5) {
            assert_eq!(s.push(i), i);
        }
        assert_eq!(s.len(), 3 * LEN + 5);
        assert_eq!(s[LEN], LEN);
        assert_eq!(s.get(3 * LEN + 4), Some(&(3 * LEN + 4)));
        assert_eq!(s.get(3 * LEN + 5), None);
        s[7] = 70;
        assert_eq!(s.get(7), Some(&70));
        assert_eq!(s.iter().count(), 3 * LEN + 5);
        let from: Vec<usize> = s.iter_from(LEN - 2).take(4).copied().collect();
        assert_eq!(from, vec![LEN - 2, LEN - 1, LEN, LEN + 1]);
        assert_eq!(s.iter_from(3 * LEN + 5).count(), 0);
        assert_eq!(s.iter_from(2 * LEN).count(), LEN + 5);
        assert_eq!(s.last(), Some(&(3 * LEN + 4)));
    }
}

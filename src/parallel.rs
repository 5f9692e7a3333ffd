//! Work spread over the machine's cores, in order, with scoped threads (no thread pool).

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` applied to every item, on up to eight threads (the calling one included), the results in
/// the order of `items`. A panic in `f` is carried to the caller, as in a plain loop.
///
/// The items are handed out in small chunks, several a thread, to whichever thread is free:
/// on a machine busy with other work a thread that gets less time takes fewer chunks, instead
/// of holding up the others with a fixed share.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(8);
    map_on(threads, items, f)
}

/// [`map`] on up to `threads` threads whatever the number of cores: for work that waits on the
/// disk (flushing files) rather than computes, where more requests in flight finish sooner.
pub fn map_on<T: Sync, R: Send>(threads: usize, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let chunks: Vec<&[T]> = items.chunks(items.len().div_ceil(threads * 8)).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(chunk) = chunks.get(index) else {
                break;
            };
            done.push((index, chunk.iter().map(&f).collect()));
        }
        done
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut parts = work();
        for handle in handles {
            match handle.join() {
                Ok(part) => parts.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        parts.sort_unstable_by_key(|(index, _)| *index);
        parts.into_iter().flat_map(|(_, part)| part).collect()
    })
}

/// [`map`] for items that `f` consumes: each item is moved to the thread that takes it.
pub fn map_owned<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let slots: Vec<std::sync::Mutex<Option<T>>> = items
        .into_iter()
        .map(|item| std::sync::Mutex::new(Some(item)))
        .collect();
    // Each slot is taken exactly once, so every result is there.
    map(&slots, |slot| {
        let item = slot.lock().ok().and_then(|mut item| item.take());
        item.map(&f)
    })
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn moves_each_item_once_and_keeps_the_order() {
        let items: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
        let lengths = super::map_owned(items, |s| s.len() + s.parse::<usize>().unwrap_or(0));
        assert_eq!(
            lengths,
            (0..1000usize)
                .map(|i| i.to_string().len() + i)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn keeps_the_order() {
        let items: Vec<usize> = (0..1000).collect();
        assert_eq!(
            super::map(&items, |x| x * 2),
            (0..1000).map(|x| x * 2).collect::<Vec<_>>()
        );
        assert!(super::map(&[] as &[usize], |x| *x).is_empty());
        assert_eq!(super::map(&[7usize], |x| x + 1), vec![8]);
    }

    #[test]
    fn keeps_the_order_when_the_work_is_uneven() {
        // Early items are slow: the chunks finish out of order.
        let items: Vec<u64> = (0..200).collect();
        let slow = |&x: &u64| {
            let rounds = if x < 20 { 20_000 } else { 1 };
            (0..rounds).fold(x, |acc, i| std::hint::black_box(acc ^ i) ^ i)
        };
        assert_eq!(super::map(&items, slow), items);
    }
}

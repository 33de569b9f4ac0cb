from dataclasses import dataclass

from scrapelint.lazy import cached_property


@dataclass(frozen=True)
class _Counted:
    """A frozen dataclass, as the sites are."""

    calls: list[int]

    @cached_property
    def value(self) -> int:
        """The number of computations so far."""
        self.calls.append(1)
        return len(self.calls)


def test_computed_once_per_instance_even_on_a_frozen_dataclass() -> None:
    first, second = _Counted([]), _Counted([])
    assert (first.value, first.value, second.value) == (1, 1, 1)
    assert first.calls == [1]


def test_read_on_the_class_it_is_the_descriptor_with_the_function_doc() -> None:
    descriptor = _Counted.__dict__["value"]
    assert _Counted.value is descriptor
    assert descriptor.__doc__ == "The number of computations so far."

"""The ten blocks of the 戦略産業クラスター検討体制, each drawn up by a 経済産業局.

Fukui (18) belongs to both 北陸 and 近畿, as the policy's table says, so a Fukui firm has
a degree in each of the two blocks and appears in both block lists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    """One block: a file-name code, its Japanese name and its prefectures (JIS X 0401)."""

    code: str
    name: str
    prefectures: tuple[str, ...]


BLOCKS: tuple[Block, ...] = (
    Block("hokkaido", "北海道", ("01",)),
    Block("tohoku", "東北", ("02", "03", "04", "05", "06", "07")),
    Block("kanto", "関東", ("08", "09", "10", "11", "12", "13", "14", "22", "19", "20", "15")),
    Block("chubu", "中部", ("21", "23", "24")),
    Block("hokuriku", "北陸", ("16", "17", "18")),
    Block("kinki", "近畿", ("18", "25", "26", "27", "28", "29", "30")),
    Block("chugoku", "中国", ("31", "32", "33", "34", "35")),
    Block("shikoku", "四国", ("36", "37", "38", "39")),
    Block("kyushu", "九州", ("40", "41", "42", "43", "44", "45", "46")),
    Block("okinawa", "沖縄", ("47",)),
)


def block_memberships() -> list[tuple[str, str, int, str]]:
    """(block_code, block_name, block_order, prefecture_code), one row per membership."""
    return [
        (block.code, block.name, order, prefecture)
        for order, block in enumerate(BLOCKS, start=1)
        for prefecture in block.prefectures
    ]

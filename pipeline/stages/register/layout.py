"""The NTA's CSV layout (リソース定義書) and the codes the pipeline relies on.

The codes come from the 法人番号公表サイト's リソース定義書 as commonly documented; see the
README section "The 国税庁 corporate register" for which the pipeline relies on.
"""

from __future__ import annotations

# The 30 columns of every 全件 and 差分 CSV row, in the file's order (no header row).
COLUMNS: tuple[str, ...] = (
    "sequence_number",
    "corporate_number",
    "process",
    "correct",
    "update_date",
    "change_date",
    "name",
    "name_image_id",
    "kind",
    "prefecture_name",
    "city_name",
    "street_number",
    "address_image_id",
    "prefecture_code",
    "city_code",
    "post_code",
    "address_outside",
    "address_outside_image_id",
    "close_date",
    "close_cause",
    "successor_corporate_number",
    "change_cause",
    "assignment_date",
    "latest",
    "en_name",
    "en_prefecture_name",
    "en_city_name",
    "en_address_outside",
    "furigana",
    "hihyoji",
)

# 処理区分 (process).
PROCESS_CODES: dict[str, str] = {
    "01": "新規",
    "11": "商号又は名称の変更",
    "12": "国内所在地の変更",
    "13": "国外所在地の変更",
    "21": "登記記録の閉鎖等",
    "22": "登記記録の閉鎖等の抹消",
    "31": "登記記録の復活等",
    "71": "吸収合併",
    "72": "吸収合併無効",
    "81": "商号の登記の抹消",
    "99": "削除",
}
DELETED = "99"  # a difference row that removes the number from the register

# 法人種別 (kind).
KIND_CODES: dict[str, str] = {
    "101": "国の機関",
    "201": "地方公共団体",
    "301": "株式会社",
    "302": "有限会社",
    "303": "合名会社",
    "304": "合資会社",
    "305": "合同会社",
    "399": "その他の設立登記法人",
    "401": "外国会社等",
    "499": "その他",
}

# 登記記録の閉鎖等の事由 (close_cause).
CLOSE_CAUSES: dict[str, str] = {
    "01": "清算の結了等",
    "11": "合併による解散等",
    "21": "登記官による閉鎖",
    "31": "その他の清算の結了等",
}
MERGED = "11"

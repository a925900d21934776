"""The BIS "Know Your Customer" red flags (15 CFR Part 732, Supplement No. 3).

Codes `BIS-RF-<n>` follow the order of the list in the regulation.
"""

BIS_RED_FLAGS: dict[str, str] = {
    "BIS-RF-1": (
        "The customer or its address is similar to one of the parties on the Commerce "
        "Department's list of denied persons."
    ),
    "BIS-RF-2": "The customer or purchasing agent is reluctant to offer information about the end-use of the item.",
    "BIS-RF-3": (
        "The product's capabilities do not fit the buyer's line of business, such as an order "
        "for sophisticated computers for a small bakery."
    ),
    "BIS-RF-4": (
        "The item ordered is incompatible with the technical level of the country to which it "
        "is being shipped, such as semiconductor manufacturing equipment being shipped to a "
        "country that has no electronics industry."
    ),
    "BIS-RF-5": (
        "The customer is willing to pay cash for a very expensive item when the terms of sale "
        "would normally call for financing."
    ),
    "BIS-RF-6": "The customer has little or no business background.",
    "BIS-RF-7": "The customer is unfamiliar with the product's performance characteristics but still wants the product.",
    "BIS-RF-8": "Routine installation, training, or maintenance services are declined by the customer.",
    "BIS-RF-9": "Delivery dates are vague, or deliveries are planned for out of the way destinations.",
    "BIS-RF-10": "A freight forwarding firm is listed as the product's final destination.",
    "BIS-RF-11": "The shipping route is abnormal for the product and destination.",
    "BIS-RF-12": "Packaging is inconsistent with the stated method of shipment or destination.",
    "BIS-RF-13": (
        "When questioned, the buyer is evasive and especially unclear about whether the "
        "purchased product is for domestic use, for export, or for reexport."
    ),
}


def red_flag_text(code: str) -> str:
    return BIS_RED_FLAGS.get(code, "A hub or agency red-flag code.")

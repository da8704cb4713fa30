-- Styles the small record marks that follow each record's text ([prj-x](#prov-prj-x){.record-id})
-- the same way in every format: small and grey, linking to the record's entry in the "Data
-- provenance" appendix. HTML styles them with CSS (templates/html/document.html); DOCX gets the
-- character style "Record ID" from reference.docx; Typst gets small grey text. Only marks whose
-- target is a provenance anchor are touched, and record IDs are validated identifiers, so the
-- raw Typst built here never contains data text.
local function record_id(link)
  if not link.classes:includes("record-id") then return nil end
  local target = link.target:match("^#(prov%-[%w%-]+)$")
  if not target then return nil end
  return target, pandoc.utils.stringify(link.content)
end

function Link(link)
  local target, text = record_id(link)
  if not target then return nil end
  if FORMAT == "docx" then
    -- The style goes inside the link: the link's own "Hyperlink" style would replace it outside.
    link.content = {pandoc.Span(link.content, {["custom-style"] = "Record ID"})}
    return link
  elseif FORMAT == "typst" and text:match("^[%w%-]+$") then
    return pandoc.RawInline("typst",
      "#text(size: 6.5pt, fill: luma(95))[#link(<" .. target .. ">)[" .. text .. "]]")
  end
  return nil
end

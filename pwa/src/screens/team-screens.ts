// The team screens, loaded on first use (a separate chunk, precached for offline like the rest):
// members who only record households never parse them, nor the QR code generator, nor the
// lead's review screen.
export { Team } from "./Team"
export { Member } from "./Member"
export { AddMember } from "./AddMember"
export { ImportMembers } from "./ImportMembers"
export { Review } from "./Review"
